using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bifrost.Api.Auth;
using Bifrost.TestKit;

namespace Bifrost.Api.Tests.Auth;

/// <summary>The API with <c>Bifrost:Api:Auth = http_basic</c>, answering as Ironic's http_basic does.</summary>
public class BasicAuthTests
{
    private const string Password = "Basic-Auth-Pa55-4c1e";
    private BifrostServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await BifrostServer.StartAsync(new Dictionary<string, string?> { ["Bifrost:Api:Auth"] = "http_basic" });
        UsersFile.Write(Path.Combine(_server.StateDir, "users"), [new("alice", PasswordHash.Create(Encoding.UTF8.GetBytes(Password)))]);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private static int _nextSource = 10;

    /// <summary>Each call from its own loopback source address (127.0.0.N), so the failures of one test do not use
    /// up the per-address throttle of the next.</summary>
    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Get(string path, string? authorization)
    {
        var source = IPAddress.Parse($"127.0.0.{Interlocked.Increment(ref _nextSource)}");
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = _server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-OpenStack-Ironic-API-Version", "1.78");
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Test]
    public async Task Right_credentials_pass()
    {
        var (status, body, _) = await Get("/v1/nodes", Basic("alice", Password));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        TestCaseData Case(string? header, int status, string message, string rule) =>
            new TestCaseData(header, status, message).SetName(rule);
        yield return Case(null, 401, "Authorization required", "no Authorization header → 401 Authorization required");
        yield return Case(Basic("alice", "wrong"), 401, "Incorrect username or password", "wrong password → 401");
        yield return Case(Basic("mallory", Password), 401, "Incorrect username or password", "unknown user → 401, same message");
        yield return Case("Basic !!!not-base64", 400, "Could not decode authorization token", "token not base64 → 400 (Ironic)");
        yield return Case("Basic " + Convert.ToBase64String("nocolon"u8), 400, "Could not decode authorization token", "token without ':' → 400");
        yield return Case("Bearer abc", 400, "Could not decode authorization token", "another scheme → 400");
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task Refusals_carry_Ironics_body_and_challenge(string? header, int status, string message)
    {
        var (actual, body, response) = await Get("/v1/nodes", header);
        Assert.That((int)actual, Is.EqualTo(status), body);
        Assert.That(body, Is.EqualTo($"{{\"error\": {{\"message\": \"{message}\", \"code\": {status}}}}}"));
        if (status == 401)
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"Baremetal API\""));
        Assert.That(_server.Logs.AllText, Does.Not.Contain(Password));
    }

    [TestCase("/")]
    [TestCase("/v1")]
    public async Task Version_discovery_stays_public_like_Ironic(string path)
    {
        var (status, body, _) = await Get(path, null);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    [Test]
    public async Task Failed_logins_are_logged_with_user_and_address_but_never_the_password()
    {
        await Get("/v1/nodes", Basic("alice", "Wr0ng-" + Password));
        Assert.That(_server.Logs.Lines, Has.Some.Match(@"API login failed for user alice from 127\.0\.0\.\d+: wrong password"));
        Assert.That(_server.Logs.AllText, Does.Not.Contain(Password));
        Assert.That(_server.Logs.AllText, Does.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:Wr0ng-" + Password))));
    }
}

/// <summary>Password guessing from one address ends in 429 with Retry-After; a separate server, its own throttle.</summary>
public class BasicAuthThrottleTests
{
    [Test]
    public async Task Repeated_failures_from_one_address_get_429()
    {
        await using var server = await BifrostServer.StartAsync(new Dictionary<string, string?> { ["Bifrost:Api:Auth"] = "http_basic" });
        UsersFile.Write(Path.Combine(server.StateDir, "users"), [new("alice", PasswordHash.Create("right"u8))]);
        var statuses = new List<int>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 8; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/nodes");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:guess{i}")));
            last = await server.Client.SendAsync(request);
            statuses.Add((int)last.StatusCode);
        }
        Assert.That(statuses.Take(5), Has.All.EqualTo(401), "the first 5 failures are answered");
        Assert.That(statuses.Skip(5), Has.All.EqualTo(429), string.Join(",", statuses));
        Assert.That(last!.Headers.RetryAfter, Is.Not.Null);
        Assert.That(server.Logs.Lines, Has.Some.Contains("API login from 127.0.0.1 refused: too many failed logins"));
    }
}
