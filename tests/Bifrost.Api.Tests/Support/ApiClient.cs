using System.Text;
using System.Text.Json;
using Bifrost.TestKit;

namespace Bifrost.Api.Tests.Support;

/// <summary>One HTTP answer, read completely (status, headers, body text).</summary>
public sealed record Reply(int Status, HttpResponseMessage Message, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new AssertionException($"body is JSON null: {this}");

    public JsonObject Object => Json as JsonObject ?? throw new AssertionException($"body is not an object: {this}");

    /// <summary>A response or content header joined with ",", or null when absent.</summary>
    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var v) ? string.Join(",", v)
        : Message.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c)
        : null;

    public string? ContentType => Message.Content.Headers.ContentType?.ToString();

    public override string ToString() => $"HTTP {Status}: {(Body.Length > 2000 ? Body[..2000] + "…" : Body)}";
}

/// <summary>
/// Talks to a <see cref="BifrostServer"/> like the baremetal CLI does (JSON content type, API 1.78 unless told),
/// with full control over the version header: <c>version: null</c> sends none.
/// </summary>
public sealed class ApiClient(BifrostServer server) : IDisposable
{
    public const string Cli = "1.78";

    private readonly HttpClient _http = new() { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

    public BifrostServer Server { get; } = server;

    /// <summary>What Ironic's links start with: scheme and Host of the request, e.g. http://127.0.0.1:PORT.</summary>
    public string Base => Server.BaseUri.GetLeftPart(UriPartial.Authority);

    /// <summary>Sends a request. A string or byte[] body is sent as is; any other body is serialized as JSON.</summary>
    public async Task<Reply> SendAsync(HttpMethod method, string path, object? body = null, string? version = Cli,
        IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (version is not null) request.Headers.TryAddWithoutValidation("X-OpenStack-Ironic-API-Version", version);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        if (body is not null)
        {
            if (body is byte[] bytes)
            {
                request.Content = new ByteArrayContent(bytes);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            }
            else
            {
                var text = body as string ?? JsonSerializer.Serialize(body);
                request.Content = new StringContent(text, Encoding.UTF8, "application/json");
            }
            // No Expect: 100-continue, like the python client: the server must still answer an oversized body
            // with its 413 rather than a reset connection.
        }
        using var response = await _http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, response, content);
    }

    public Task<Reply> GetAsync(string path, string? version = Cli) => SendAsync(HttpMethod.Get, path, null, version);
    public Task<Reply> PostAsync(string path, object? body, string? version = Cli) => SendAsync(HttpMethod.Post, path, body, version);
    public Task<Reply> PutAsync(string path, object? body, string? version = Cli) => SendAsync(HttpMethod.Put, path, body, version);
    public Task<Reply> PatchAsync(string path, object? body, string? version = Cli) => SendAsync(HttpMethod.Patch, path, body, version);
    public Task<Reply> DeleteAsync(string path, string? version = Cli) => SendAsync(HttpMethod.Delete, path, null, version);

    /// <summary>POST /v1/nodes with a fake-hardware driver and a fresh unique name unless the body says otherwise.</summary>
    public async Task<JsonObject> CreateNodeAsync(JsonObject? body = null, string? version = Cli)
    {
        body ??= new JsonObject();
        if (!body.ContainsKey("driver")) body["driver"] = "fake-hardware";
        if (!body.ContainsKey("name") && NamesAllowed(version)) body["name"] = Names.New();
        var reply = await PostAsync("/v1/nodes", body.ToJsonString(), version);
        Assert.That(reply.Status, Is.EqualTo(201), $"creating a node: {reply}");
        return reply.Object;
    }

    /// <summary>Node names exist from 1.5 on (no header means 1.1).</summary>
    private static bool NamesAllowed(string? version) =>
        version is not null && (version == "latest" || Version.Parse(version) >= new Version(1, 5));

    /// <summary>POST /v1/ports; the reply must be 201.</summary>
    public async Task<JsonObject> CreatePortAsync(string nodeUuid, string address)
    {
        var reply = await PostAsync("/v1/ports", new { address, node_uuid = nodeUuid });
        Assert.That(reply.Status, Is.EqualTo(201), $"creating a port: {reply}");
        return reply.Object;
    }

    /// <summary>PUT states/provision, expects 202, and waits until the background work has finished.</summary>
    public async Task ProvisionAsync(string ident, string target)
    {
        var reply = await PutAsync($"/v1/nodes/{ident}/states/provision", new { target });
        Assert.That(reply.Status, Is.EqualTo(202), $"provision {target}: {reply}");
        await Server.IdleAsync();
    }

    /// <summary>Moves an enrolled node to available (manage, provide) or active (and deploy).</summary>
    public async Task BringToAsync(string ident, string state)
    {
        await ProvisionAsync(ident, "manage");
        if (state == "manageable") return;
        await ProvisionAsync(ident, "provide");
        if (state == "available") return;
        await ProvisionAsync(ident, "active");
        var node = (await GetAsync($"/v1/nodes/{ident}")).Object;
        Assert.That(node["provision_state"]?.GetValue<string>(), Is.EqualTo(state), node.ToJsonString());
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Unique node names, so tests sharing one server never collide.</summary>
public static class Names
{
    public static string New(string prefix = "node") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}

/// <summary>A random unicast MAC address, unique enough for one test run.</summary>
public static class Macs
{
    public static string New()
    {
        Span<byte> b = stackalloc byte[5];
        Random.Shared.NextBytes(b);
        return $"52:{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}";
    }
}
