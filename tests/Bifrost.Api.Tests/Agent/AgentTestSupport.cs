using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Bifrost.Api.Tests.Support;
using Bifrost.Domain.Agent;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Images;
using Bifrost.Domain.Nodes;
using Bifrost.Servers.HttpBoot;
using Bifrost.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace Bifrost.Api.Tests.Agent;

/// <summary>
/// A small image service for these tests (the real one comes from the images branch): image_source is a file
/// name under StateDir/images, image_checksum its sha256; the file is served by the real HTTP boot server.
/// </summary>
public sealed class AgentTestImages(string imagesDir) : IImageService
{
    public ValidationResult Validate(Node node) =>
        node.InstanceInfo["image_checksum"] is null ? ValidationResult.Fail("image_checksum is required") : ValidationResult.Ok;

    public async Task<PreparedImage> PrepareAsync(Node node, CancellationToken ct)
    {
        var name = node.InstanceInfo["image_source"]!.GetValue<string>();
        var path = Path.Combine(imagesDir, name);
        if (!File.Exists(path)) throw new ImageException($"image {name} not found in {imagesDir}");
        var bytes = await File.ReadAllBytesAsync(path, ct);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var expected = node.InstanceInfo["image_checksum"]!.GetValue<string>();
        if (actual != expected)
            throw new ImageException($"image {name}: checksum mismatch: sha256 expected {expected}, got {actual}");
        return new PreparedImage
        {
            Path = "/images/" + name, Format = ImageStreamFormat.Raw, HashAlgorithm = "sha256", HashValue = actual,
            Size = bytes.Length, Description = $"{name}: raw, {bytes.Length} bytes, sha256 verified",
        };
    }
}

/// <summary>One Bifrost with HTTP boot and the test image service, one ipmi_sim BMC per test, a scripted agent.</summary>
public abstract class AgentFixture
{
    protected BifrostServer Server { get; private set; } = null!;
    protected ApiClient Api { get; private set; } = null!;
    protected IpmiSim Bmc { get; private set; } = null!;
    protected int BootPort { get; private set; }

    protected virtual IDictionary<string, string?> Extra => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        BootPort = Net.FreeTcpPort();
        var settings = new Dictionary<string, string?>
        {
            ["Bifrost:Boot:Listen"] = $"127.0.0.1:{BootPort}",
            ["Bifrost:Conductor:PowerStatePollInterval"] = "0.1",
            ["Bifrost:Conductor:SyncPowerStateInterval"] = "0",
            ["Bifrost:Conductor:CheckProvisionStateInterval"] = "3600",
        };
        foreach (var (k, v) in Extra) settings[k] = v;
        Server = await BifrostServer.StartAsync(settings,
            s => s.AddSingleton<IImageService>(sp => new AgentTestImages(sp.GetRequiredService<HttpBootOptions>().ImagesDir)));
        Directory.CreateDirectory(Path.Combine(Server.StateDir, "images"));
        Api = new ApiClient(Server);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        Api.Dispose();
        await Server.IdleAsync();
        await Server.DisposeAsync();
    }

    [SetUp]
    public void StartBmc() => Bmc = IpmiSim.Start();

    [TearDown]
    public async Task StopBmc()
    {
        await Server.IdleAsync();
        Bmc.Dispose();
    }

    /// <summary>An ipmi node on this test's BMC with one port, brought to manageable (verification reads power).</summary>
    protected async Task<(string Uuid, string Mac)> ManageableNodeAsync(JsonObject? properties = null)
    {
        var node = await Api.CreateNodeAsync(new JsonObject
        {
            ["driver"] = "ipmi", ["driver_info"] = Bmc.DriverInfo(), ["properties"] = properties ?? new JsonObject(),
        });
        var uuid = node["uuid"]!.GetValue<string>();
        var mac = Macs.New();
        await Api.CreatePortAsync(uuid, mac);
        await Api.ProvisionAsync(uuid, "manage");
        Assert.That(await StateOf(uuid), Is.EqualTo("manageable"), (await Node(uuid)).ToJsonString());
        return (uuid, mac);
    }

    protected async Task<JsonObject> Node(string uuid) => (await Api.GetAsync($"/v1/nodes/{uuid}")).Object;

    protected async Task<string?> StateOf(string uuid) => (await Node(uuid))["provision_state"]?.GetValue<string>();

    protected async Task<List<JsonObject>> History(string uuid) =>
        [.. (await Api.GetAsync($"/v1/nodes/{uuid}/history/detail")).Object["history"]!.AsArray().OfType<JsonObject>()];

    protected async Task<List<string>> AgentHistory(string uuid) =>
        [.. (await History(uuid)).Where(e => e["event_type"]?.GetValue<string>() == "agent").Select(e => e["event"]!.GetValue<string>())];

    /// <summary>PUT states/provision with a body, expecting 202, then waits for the background work.</summary>
    protected async Task ProvisionAsync(string uuid, object body)
    {
        var reply = await Api.PutAsync($"/v1/nodes/{uuid}/states/provision", body);
        Assert.That(reply.Status, Is.EqualTo(202), reply.ToString());
        await Server.IdleAsync(30);
    }

    /// <summary>Puts a file into StateDir/images and returns its sha256.</summary>
    protected string AddImage(string name, byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(Server.StateDir, "images", name), bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    protected ScriptedAgent NewAgent(string uuid) => new(Server.BaseUri, uuid);

    /// <summary><c>provide</c> with automated cleaning: the agent of the cleaning boot takes its command and reports
    /// success with <paramref name="cleanResult"/>; then the background work is waited for.</summary>
    protected async Task ProvideThroughAgentAsync(string uuid, string mac, JsonObject cleanResult)
    {
        await Api.ProvisionAsync(uuid, "provide");
        using var cleaner = NewAgent(uuid);
        var clean = await cleaner.FirstCommandAsync(mac);
        await cleaner.HeartbeatAsync(ScriptedAgent.Report(clean, "succeeded", cleanResult));
        await Server.IdleAsync(30);
    }
}

/// <summary>The deploy agent, played by the test over HTTP exactly as docs/agent-protocol.md describes it.</summary>
public sealed class ScriptedAgent(Uri api, string uuid) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };

    public string Uuid { get; } = uuid;
    public string? Token { get; set; }

    /// <summary>GET /v1/lookup; keeps the token when one is given.</summary>
    public async Task<Reply> LookupAsync(string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/lookup?{query}");
        request.Headers.TryAddWithoutValidation("X-OpenStack-Ironic-API-Version", "1.68");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var reply = new Reply((int)response.StatusCode, response, body);
        // As the shell agent does it: sed on the raw text, not a JSON parser.
        var m = System.Text.RegularExpressions.Regex.Match(body, "\"agent_token\": \"([^\"]*)\"");
        if (m.Success && m.Groups[1].Value != "******") Token = m.Groups[1].Value;
        return reply;
    }

    /// <summary>POST /v1/heartbeat/{uuid} with the given command report (or none).</summary>
    public async Task<(Reply Reply, AgentCommand? Command)> HeartbeatAsync(
        JsonObject? command = null, string? logTail = null, string? token = null, bool omitToken = false,
        string? rawBody = null, string? node = null)
    {
        var body = new JsonObject { ["agent_version"] = "bifrost-agent/1", ["callback_url"] = "" };
        if (!omitToken) body["agent_token"] = token ?? Token;
        var ext = new JsonObject();
        if (command is not null) ext["command"] = command;
        if (logTail is not null) ext["log_tail"] = logTail;
        body["bifrost"] = ext;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/heartbeat/{node ?? Uuid}")
        {
            Content = new StringContent(rawBody ?? body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-OpenStack-Ironic-API-Version", "1.68");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var reply = new Reply((int)response.StatusCode, response, text);
        AgentCommand? parsed = null;
        if (reply.Status == 202 && text.Length > 0)
            Assert.That(AgentCommand.TryRead(text, out parsed, out var error), Is.True, $"{error}: {text}");
        return (reply, parsed);
    }

    public static JsonObject Report(AgentCommand command, string status, JsonObject? result = null, string message = "",
        JsonObject? progress = null) => new()
    {
        ["id"] = command["id"], ["name"] = command.Name, ["status"] = status, ["message"] = message,
        ["result"] = result ?? new JsonObject(), ["progress"] = progress,
    };

    /// <summary>Lookup by MAC, then heartbeats until a command other than none arrives.</summary>
    public async Task<AgentCommand> FirstCommandAsync(string mac)
    {
        var lookup = await LookupAsync($"addresses={mac}");
        Assert.That(lookup.Status, Is.EqualTo(200), lookup.ToString());
        Assert.That(Token, Is.Not.Null, "the first lookup of a boot gives the token");
        var (reply, command) = await HeartbeatAsync();
        Assert.That(reply.Status, Is.EqualTo(202), reply.ToString());
        return command!;
    }

    /// <summary>Downloads a URL (an image from the boot server, or the config drive with the token).</summary>
    public async Task<(int Status, byte[] Body)> DownloadAsync(string url, bool withToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (withToken && Token is not null) request.Headers.TryAddWithoutValidation("X-Agent-Token", Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    public void Dispose() => _http.Dispose();
}
