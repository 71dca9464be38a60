using Bifrost.TestKit;

namespace Bifrost.Api.Tests.Support;

/// <summary>One Bifrost per fixture, started before its first test and stopped after its last.</summary>
public abstract class ApiFixture
{
    protected BifrostServer Server { get; private set; } = null!;
    protected ApiClient Api { get; private set; } = null!;

    /// <summary>Extra configuration for this fixture's server (delays, limits).</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        Server = await BifrostServer.StartAsync(Settings);
        Api = new ApiClient(Server);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        Api.Dispose();
        await Server.IdleAsync();
        await Server.DisposeAsync();
    }

    protected static string Uuid(JsonObject node) => node["uuid"]!.GetValue<string>();
    protected static string Name(JsonObject node) => node["name"]!.GetValue<string>();
}
