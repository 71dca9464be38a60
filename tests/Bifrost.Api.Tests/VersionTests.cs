namespace Bifrost.Api.Tests;

/// <summary>IRONIC-API.md §3: the versions documents and microversion negotiation.</summary>
public sealed class VersionTests : ApiFixture
{
    private const string MinHeader = "X-OpenStack-Ironic-API-Minimum-Version";
    private const string MaxHeader = "X-OpenStack-Ironic-API-Maximum-Version";
    private const string VersionHeader = "X-OpenStack-Ironic-API-Version";

    [Test]
    public async Task Root_without_headers_is_the_versions_document_ipa_reads()
    {
        var reply = await Api.GetAsync("/", version: null);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        var body = reply.Object;
        var expected = new JsonObject
        {
            ["id"] = "v1",
            ["links"] = new JsonArray(new JsonObject { ["href"] = $"{Api.Base}/v1/", ["rel"] = "self" }),
            ["status"] = "CURRENT",
            ["min_version"] = "1.1",
            ["version"] = "1.82",
        };
        Assert.Multiple(() =>
        {
            Assert.That(body["name"]?.GetValue<string>(), Is.EqualTo("OpenStack Ironic API"));
            Assert.That(JsonNode.DeepEquals(body["default_version"], expected), Is.True, body["default_version"]?.ToJsonString());
            Assert.That(JsonNode.DeepEquals(body["versions"], new JsonArray(expected.DeepClone())), Is.True);
            Assert.That(reply.Header(MinHeader), Is.Null);
            Assert.That(reply.Header(MaxHeader), Is.Null);
            Assert.That(reply.Header(VersionHeader), Is.Null);
        });
    }

    [TestCase("/v1")]
    [TestCase("/v1/")]
    public async Task V1_without_a_header_is_served_at_1_1_with_the_range_headers(string path)
    {
        var reply = await Api.GetAsync(path, version: null);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        var body = reply.Object;
        Assert.Multiple(() =>
        {
            Assert.That(reply.Header(MinHeader), Is.EqualTo("1.1"));
            Assert.That(reply.Header(MaxHeader), Is.EqualTo("1.82"));
            Assert.That(reply.Header(VersionHeader), Is.EqualTo("1.1"));
            Assert.That(body["id"]?.GetValue<string>(), Is.EqualTo("v1"));
            foreach (var key in (string[])["links", "media_types", "nodes", "ports", "version"])
                Assert.That(body.ContainsKey(key), Is.True, key);
            Assert.That(body["version"]?["version"]?.GetValue<string>(), Is.EqualTo("1.82"));
            Assert.That(body["version"]?["min_version"]?.GetValue<string>(), Is.EqualTo("1.1"));
            Assert.That(body["nodes"]?[0]?["href"]?.GetValue<string>(), Is.EqualTo($"{Api.Base}/v1/nodes/"));
        });
    }

    [Test]
    public async Task Latest_is_served_as_1_82()
    {
        var reply = await Api.GetAsync("/v1/nodes", version: "latest");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That(reply.Header(VersionHeader), Is.EqualTo("1.82"));
    }

    [TestCase("1.78")]
    [TestCase("1.1")]
    [TestCase("1.82")]
    public async Task A_supported_version_is_echoed(string version)
    {
        var reply = await Api.GetAsync("/v1/nodes", version);
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That(reply.Header(VersionHeader), Is.EqualTo(version));
    }

    [TestCase("1.99")]
    [TestCase("1.0")]
    [TestCase("2.1")]
    [TestCase("1.83")]
    public async Task A_version_outside_the_range_is_406_with_the_range_headers(string version)
    {
        var reply = await Api.GetAsync("/v1/nodes", version);
        Expect.Routing(reply, 406, "Not Acceptable",
            $"Version {version} was requested but the minor version is not supported by this service. " +
            "The supported version range is: [1.1, 1.82].");
        Assert.That(reply.Header(MinHeader), Is.EqualTo("1.1"));
        Assert.That(reply.Header(MaxHeader), Is.EqualTo("1.82"));
    }

    [TestCase("abc")]
    [TestCase("1")]
    [TestCase("1.")]
    [TestCase("1.x")]
    public async Task A_malformed_version_is_406_without_the_range_headers(string version)
    {
        var reply = await Api.GetAsync("/v1/nodes", version);
        Expect.Routing(reply, 406, "Not Acceptable", "Invalid value for X-OpenStack-Ironic-API-Version header");
        Assert.That(reply.Header(MinHeader), Is.Null);
        Assert.That(reply.Header(MaxHeader), Is.Null);
    }

    private static IEnumerable<TestCaseData> V1Requests()
    {
        TestCaseData Case(string method, string path, string? body, string name) =>
            new TestCaseData(method, path, body).SetName($"{name} carries the version headers and a request id");
        yield return Case("GET", "/v1/nodes", null, "a list");
        yield return Case("GET", "/v1/nodes/detail", null, "a detail list");
        yield return Case("GET", "/v1/nodes/no-such-node", null, "a 404 of an unknown node");
        yield return Case("POST", "/v1/nodes", "{\"driver\": \"nope\"}", "a 400 of a bad create");
        yield return Case("POST", "/v1/nodes", "{not json", "a 400 of malformed JSON");
        yield return Case("PATCH", "/v1/nodes/no-such-node", "[]", "a 404 of a patch");
        yield return Case("PUT", "/v1/nodes/no-such-node/states/power", "{\"target\": \"power on\"}", "a 404 of a power action");
        yield return Case("GET", "/v1/ports", null, "a port list");
        yield return Case("GET", "/v1/ports/not-a-port", null, "a 404 of an unknown port");
        yield return Case("GET", "/v1/nodes?fields=nope", null, "a 400 of a bad fields query");
        yield return Case("DELETE", "/v1/nodes", null, "a 405 of a wrong method");
        yield return Case("POST", "/v1/nodes", "{\"extra\": \"" + new string('x', 1100 * 1024) + "\"}", "a 413 of a huge body");
    }

    [TestCaseSource(nameof(V1Requests))]
    public async Task Every_v1_answer_carries_the_version_headers(string method, string path, string? body)
    {
        var reply = await Api.SendAsync(new HttpMethod(method), path, body);
        Assert.Multiple(() =>
        {
            Assert.That(reply.Header(MinHeader), Is.EqualTo("1.1"), reply.ToString());
            Assert.That(reply.Header(MaxHeader), Is.EqualTo("1.82"), reply.ToString());
            Assert.That(reply.Header(VersionHeader), Is.EqualTo("1.78"), reply.ToString());
            Assert.That(reply.Header("Openstack-Request-Id"), Does.Match("^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
        });
    }

    [Test]
    public async Task Request_ids_differ_between_requests()
    {
        var a = await Api.GetAsync("/v1/nodes");
        var b = await Api.GetAsync("/v1/nodes");
        Assert.That(a.Header("Openstack-Request-Id"), Is.Not.EqualTo(b.Header("Openstack-Request-Id")));
    }

    [Test]
    public async Task The_auth_token_the_cli_sends_is_ignored()
    {
        var reply = await Api.SendAsync(HttpMethod.Get, "/v1/nodes", headers: new Dictionary<string, string> { ["X-Auth-Token"] = "notused" });
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
    }
}
