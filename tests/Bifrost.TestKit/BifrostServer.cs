using System.Net.Http.Headers;
using Bifrost.Domain.Conductor;
using Bifrost.Host.Configuration;
using Bifrost.Host.Serving;
using Bifrost.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bifrost.TestKit;

/// <summary>
/// Bifrost's real composition (the same one <c>bifrost serve</c> builds) running in the test process on a free
/// loopback port with a fresh state directory, plus an HttpClient that speaks like the baremetal CLI (API 1.78).
/// </summary>
public sealed class BifrostServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _dir;

    private BifrostServer(WebApplication app, TempDirectory dir, Uri baseUri, CapturingLoggerProvider logs)
    {
        _app = app;
        _dir = dir;
        BaseUri = baseUri;
        Logs = logs;
        Client = new HttpClient { BaseAddress = baseUri };
        Client.DefaultRequestHeaders.Add("X-OpenStack-Ironic-API-Version", "1.78");
        Client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri BaseUri { get; }
    public HttpClient Client { get; }
    public CapturingLoggerProvider Logs { get; }
    public string StateDir => _dir.Path;
    public Conductor Conductor => _app.Services.GetRequiredService<Conductor>();

    /// <param name="settings">Extra configuration keys, e.g. <c>["Bifrost:Fake:DeployDelay"] = "5"</c>.</param>
    /// <param name="services">Registers more services after Bifrost's own (e.g. a test IImageService).</param>
    public static async Task<BifrostServer> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var dir = new TempDirectory("bifrost-api");
        var port = Net.FreeTcpPort();
        var values = new Dictionary<string, string?>
        {
            ["Bifrost:StateDir"] = dir.Path,
            ["Bifrost:Api:Listen"] = $"127.0.0.1:{port}",
            ["Bifrost:Conductor:Host"] = "test-conductor",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var config = BifrostSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

        await SqliteMigrator.MigrateAsync(config.DatabasePath);
        var logs = new CapturingLoggerProvider();
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var app = ServeCommand.Build(config, loggerFactory, services);
        await app.StartAsync();
        return new BifrostServer(app, dir, new Uri($"http://127.0.0.1:{port}"), logs);
    }

    /// <summary>Waits until no background operation runs (a deploy or power change started by a request).</summary>
    public Task IdleAsync(double seconds = 10) => Conductor.WaitIdleAsync(TimeSpan.FromSeconds(seconds));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }
}
