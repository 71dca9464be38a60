namespace Bifrost.Api.Tests;

/// <summary>
/// Bad input never gives a 500 and never takes the server down: malformed or mistyped JSON, deep nesting, huge and
/// empty bodies, unknown paths and methods, and a seeded table of garbage. Templates: {uuid} is a fresh node,
/// {port} a port of it.
/// </summary>
public sealed class BadInputTests : ApiFixture
{
    /// <summary>Every endpoint that reads a JSON body.</summary>
    private static readonly (string Method, string Path)[] BodyEndpoints =
    [
        ("POST", "/v1/nodes"), ("PATCH", "/v1/nodes/{uuid}"), ("PUT", "/v1/nodes/{uuid}/states/power"),
        ("PUT", "/v1/nodes/{uuid}/states/provision"), ("PUT", "/v1/nodes/{uuid}/maintenance"),
        ("PUT", "/v1/nodes/{uuid}/management/boot_device"), ("POST", "/v1/ports"), ("PATCH", "/v1/ports/{port}"),
    ];

    private async Task<Func<string, string>> FreshAsync()
    {
        var node = await Api.CreateNodeAsync();
        var port = await Api.CreatePortAsync(Uuid(node), Macs.New());
        var (uuid, portUuid) = (Uuid(node), port["uuid"]!.GetValue<string>());
        return s => s.Replace("{uuid}", uuid).Replace("{port}", portUuid);
    }

    private static IEnumerable<TestCaseData> MalformedJson()
    {
        foreach (var (method, path) in BodyEndpoints)
            foreach (var (body, what) in new[] { ("{\"driver\": ", "truncated"), ("{'a': 1}", "single-quoted"), ("[1,]", "trailing comma"), ("nul", "a bad literal") })
                yield return new TestCaseData(method, path, body)
                    .SetName($"malformed JSON ({what}) to {method} {path} is 400 (Ironic answers 500)");
    }

    [TestCaseSource(nameof(MalformedJson))]
    public async Task Malformed_json_is_400(string method, string path, string body)
    {
        var fill = await FreshAsync();
        var reply = await Api.SendAsync(new HttpMethod(method), fill(path), body);
        Expect.FaultStartingWith(reply, 400, "Malformed JSON in request body");
    }

    private static IEnumerable<TestCaseData> WrongTypes()
    {
        TestCaseData Row(string rule, string method, string path, string body) =>
            new TestCaseData(method, path, body).SetName(rule);
        // Node create: string, object, boolean and uuid fields.
        yield return Row("a number for the driver string is 400", "POST", "/v1/nodes", "{\"driver\": 5}");
        yield return Row("null for the driver is 400", "POST", "/v1/nodes", "{\"driver\": null}");
        yield return Row("an object for the name string is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"name\": {}}");
        yield return Row("a string for the driver_info object is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"driver_info\": \"x\"}");
        yield return Row("a list for the properties object is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"properties\": [1]}");
        yield return Row("a word for the automated_clean boolean is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"automated_clean\": \"maybe\"}");
        yield return Row("an object for the retired boolean is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"retired\": {}}");
        yield return Row("a word for the uuid is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"uuid\": \"not-a-uuid\"}");
        yield return Row("a number for the uuid is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"uuid\": 7}");
        yield return Row("a word for instance_uuid is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"instance_uuid\": \"x\"}");
        yield return Row("a number for an interface is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"deploy_interface\": 1}");
        yield return Row("an unknown interface is 400", "POST", "/v1/nodes", "{\"driver\": \"fake-hardware\", \"deploy_interface\": \"nope\"}");
        // Node patch.
        yield return Row("patching driver_info to a string is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"replace\", \"path\": \"/driver_info\", \"value\": \"x\"}]");
        yield return Row("patching the name to a number is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"path\": \"/name\", \"value\": 5}]");
        yield return Row("patching protected to a word is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"replace\", \"path\": \"/protected\", \"value\": \"maybe\"}]");
        yield return Row("patching instance_uuid to a word is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"path\": \"/instance_uuid\", \"value\": \"x\"}]");
        yield return Row("patching the driver to null is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"remove\", \"path\": \"/driver\"}]");
        yield return Row("patching the driver to an unknown one is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"replace\", \"path\": \"/driver\", \"value\": \"nope\"}]");
        yield return Row("patching below a string is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"path\": \"/driver/x\", \"value\": 1}]");
        yield return Row("a patch operation that is a number is 400", "PATCH", "/v1/nodes/{uuid}", "[5]");
        yield return Row("a patch op that is not a string is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": 5, \"path\": \"/extra/a\"}]");
        yield return Row("a patch without path is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"value\": 1}]");
        yield return Row("a patch path without slash is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"path\": \"extra\", \"value\": 1}]");
        yield return Row("an add without value is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"path\": \"/extra/a\"}]");
        yield return Row("a bad array index is 400", "PATCH", "/v1/nodes/{uuid}", "[{\"op\": \"add\", \"path\": \"/extra/a\", \"value\": []}, {\"op\": \"replace\", \"path\": \"/extra/a/9\", \"value\": 1}]");
        // State bodies.
        yield return Row("a number as power target is 400", "PUT", "/v1/nodes/{uuid}/states/power", "{\"target\": 5}");
        yield return Row("a word as power timeout is 400", "PUT", "/v1/nodes/{uuid}/states/power", "{\"target\": \"power on\", \"timeout\": \"soon\"}");
        yield return Row("a zero power timeout is 400", "PUT", "/v1/nodes/{uuid}/states/power", "{\"target\": \"power on\", \"timeout\": 0}");
        yield return Row("an object as provision target is 400", "PUT", "/v1/nodes/{uuid}/states/provision", "{\"target\": {}}");
        yield return Row("a string as clean_steps is 400", "PUT", "/v1/nodes/{uuid}/states/provision", "{\"target\": \"clean\", \"clean_steps\": \"x\"}");
        yield return Row("a list as configdrive is 400", "PUT", "/v1/nodes/{uuid}/states/provision", "{\"target\": \"active\", \"configdrive\": [1]}");
        yield return Row("a number as maintenance reason is 400", "PUT", "/v1/nodes/{uuid}/maintenance", "{\"reason\": 5}");
        yield return Row("a word as boot device persistence is 400", "PUT", "/v1/nodes/{uuid}/management/boot_device", "{\"boot_device\": \"pxe\", \"persistent\": \"maybe\"}");
        yield return Row("no boot device is 400", "PUT", "/v1/nodes/{uuid}/management/boot_device", "{}");
        // Ports.
        yield return Row("a number as port address is 400", "POST", "/v1/ports", "{\"address\": 5, \"node_uuid\": \"{uuid}\"}");
        yield return Row("a number as port node_uuid is 400", "POST", "/v1/ports", "{\"address\": \"52:54:00:00:00:99\", \"node_uuid\": 5}");
        yield return Row("a word as pxe_enabled is 400", "POST", "/v1/ports", "{\"address\": \"52:54:00:00:00:98\", \"node_uuid\": \"{uuid}\", \"pxe_enabled\": \"maybe\"}");
        yield return Row("a list as port extra is 400", "PATCH", "/v1/ports/{port}", "[{\"op\": \"replace\", \"path\": \"/extra\", \"value\": [1]}]");
        yield return Row("patching a port to a bad MAC is 400", "PATCH", "/v1/ports/{port}", "[{\"op\": \"replace\", \"path\": \"/address\", \"value\": \"zz\"}]");
        yield return Row("patching a port to an unknown node is 400", "PATCH", "/v1/ports/{port}", "[{\"op\": \"replace\", \"path\": \"/node_uuid\", \"value\": \"6a1f5b1e-8c53-4a53-9b55-0d7a3e6c2f11\"}]");
        // Queries.
        yield return Row("a marker that is not a uuid is 400", "GET", "/v1/nodes?marker=nope", "");
        yield return Row("a huge limit is 400", "GET", "/v1/nodes?limit=99999999999999", "");
        yield return Row("fields=nope is 400 (Ironic answers 500)", "GET", "/v1/nodes?fields=nope", "");
        yield return Row("fields=nope on a show is 400", "GET", "/v1/nodes/{uuid}?fields=uuid,nope", "");
        yield return Row("fields with detail is 400", "GET", "/v1/nodes/detail?fields=uuid", "");
        yield return Row("a port filter by a bad MAC is 400", "GET", "/v1/ports?address=nope", "");
        yield return Row("a port filter by a bad node uuid is 400", "GET", "/v1/ports?node_uuid=nope", "");
        yield return Row("fields=nope on ports is 400", "GET", "/v1/ports?fields=nope", "");
    }

    [TestCaseSource(nameof(WrongTypes))]
    public async Task Wrong_type_is_400(string method, string path, string body)
    {
        var fill = await FreshAsync();
        var reply = await Api.SendAsync(new HttpMethod(method), fill(path), body.Length == 0 ? null : fill(body));
        Expect.Error(reply, 400);
    }

    private static IEnumerable<TestCaseData> NotObjects()
    {
        foreach (var (method, path) in BodyEndpoints)
            foreach (var body in (string[])["", "[]", "5", "\"x\"", "null", "true"])
            {
                // Where Ironic accepts an empty body (maintenance reason) or wants a list (patch), other cases apply.
                if (path.EndsWith("/maintenance", StringComparison.Ordinal) && body is "" or "null") continue;
                if (method == "PATCH" && body == "[]") continue;
                yield return new TestCaseData(method, path, body)
                    .SetName($"{(body.Length == 0 ? "an empty body" : $"the body {body}")} to {method} {path} is 400");
            }
    }

    [TestCaseSource(nameof(NotObjects))]
    public async Task A_body_of_the_wrong_kind_is_400(string method, string path, string body)
    {
        var fill = await FreshAsync();
        var reply = await Api.SendAsync(new HttpMethod(method), fill(path), body);
        Expect.Error(reply, 400);
    }

    [Test]
    public async Task An_empty_maintenance_body_sets_maintenance_without_reason()
    {
        var fill = await FreshAsync();
        Expect.Empty(await Api.SendAsync(HttpMethod.Put, fill("/v1/nodes/{uuid}/maintenance"), ""), 202);
        var node = (await Api.GetAsync(fill("/v1/nodes/{uuid}"))).Object;
        Assert.That(node["maintenance"]?.GetValue<bool>(), Is.True);
        Assert.That(node["maintenance_reason"], Is.Null);
    }

    [TestCase(100)]
    [TestCase(10_000)]
    public async Task Deeply_nested_json_is_400(int depth)
    {
        var fill = await FreshAsync();
        var nested = new string('[', depth) + new string(']', depth);
        foreach (var (method, path) in BodyEndpoints)
        {
            var body = method == "PATCH"
                ? $"[{{\"op\": \"add\", \"path\": \"/extra/deep\", \"value\": {nested}}}]"
                : $"{{\"driver\": \"fake-hardware\", \"extra\": {nested}}}";
            Expect.FaultStartingWith(await Api.SendAsync(new HttpMethod(method), fill(path), body), 400, "Malformed JSON");
        }
    }

    [Test]
    public async Task A_body_over_1_MiB_is_413_with_an_ironic_body_and_the_server_keeps_serving()
    {
        var fill = await FreshAsync();
        var big = "{\"driver\": \"fake-hardware\", \"extra\": {\"blob\": \"" + new string('x', 1024 * 1024 + 10) + "\"}}";
        foreach (var (method, path) in new[] { ("POST", "/v1/nodes"), ("PATCH", "/v1/nodes/{uuid}"), ("POST", "/v1/ports") })
        {
            var reply = await Api.SendAsync(new HttpMethod(method), fill(path), big);
            Expect.FaultStartingWith(reply, 413, "Request body too large");
            var next = await Api.GetAsync(fill("/v1/nodes/{uuid}"));
            Assert.That(next.Status, Is.EqualTo(200), $"after a 413: {next}");
        }
    }

    [Test]
    public async Task A_chunked_body_over_1_MiB_is_413_too()
    {
        var fill = await FreshAsync();
        var big = System.Text.Encoding.UTF8.GetBytes("{\"driver\": \"fake-hardware\", \"extra\": {\"blob\": \"" + new string('x', 1100 * 1024) + "\"}}");
        using var http = new HttpClient { BaseAddress = Server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/nodes");
        request.Headers.TryAddWithoutValidation("X-OpenStack-Ironic-API-Version", ApiClient.Cli);
        // A stream of unknown length goes out chunked, so the server only finds out while reading.
        request.Content = new StreamContent(new UnknownLengthStream(big));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(request);
        var reply = new Reply((int)response.StatusCode, response, await response.Content.ReadAsStringAsync());
        Expect.FaultStartingWith(reply, 413, "Request body too large");
        Assert.That((await Api.GetAsync(fill("/v1/nodes/{uuid}"))).Status, Is.EqualTo(200), "still serving");
    }

    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Test]
    public async Task A_body_just_under_1_MiB_is_accepted()
    {
        var fill = await FreshAsync();
        var blob = new string('x', 1000 * 1000);
        var reply = await Api.PatchAsync(fill("/v1/nodes/{uuid}"), $"[{{\"op\": \"add\", \"path\": \"/extra/blob\", \"value\": \"{blob}\"}}]");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That((await Api.GetAsync(fill("/v1/nodes/{uuid}"))).Object["extra"]?["blob"]?.GetValue<string>(), Has.Length.EqualTo(blob.Length));
    }

    private static IEnumerable<TestCaseData> UnknownPaths()
    {
        foreach (var path in (string[])["/v1/nope", "/v1/nodes/x/nope", "/v1/nodes/x/states/nope", "/v1/ports/x/y", "/nope", "/v2"])
            yield return new TestCaseData(path).SetName($"GET {path} is a routing 404");
    }

    [TestCaseSource(nameof(UnknownPaths))]
    public async Task Unknown_path_is_a_routing_404(string path)
    {
        Expect.Routing(await Api.GetAsync(path), 404, "Not Found");
    }

    private static IEnumerable<TestCaseData> WrongMethods()
    {
        foreach (var (method, path) in new[]
                 {
                     ("DELETE", "/v1/nodes"), ("PUT", "/v1/nodes/x"), ("POST", "/v1/nodes/x"), ("GET", "/v1/nodes/x/states/power"),
                     ("POST", "/v1/nodes/x/states"), ("PATCH", "/v1/ports"), ("PUT", "/v1/ports/x"), ("POST", "/v1"),
                 })
            yield return new TestCaseData(method, path).SetName($"{method} {path} is a routing 405");
    }

    [TestCaseSource(nameof(WrongMethods))]
    public async Task Wrong_method_is_a_routing_405(string method, string path)
    {
        Expect.Routing(await Api.SendAsync(new HttpMethod(method), path, "{}"), 405, "Method Not Allowed");
    }

    /// <summary>Seeded garbage: random bytes, JSON fragments and mutated valid bodies.</summary>
    private static IEnumerable<TestCaseData> Garbage()
    {
        var random = new Random(20261121);
        string[] fragments =
        [
            "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "-0", "1e999", "\"driver\"", "\"fake-hardware\"",
            "\"op\"", "\"add\"", "\"path\"", "\"/extra/a\"", "\"value\"", "\"\\u0000\"", "\"\\ud800\"", "NaN", "Infinity", " ",
            "\"name\"", "\"/name\"", "\"target\"", "\"address\"", "\"node_uuid\"", "{\"a\":", "[{", "\"\u00e9\"",
        ];
        for (var i = 0; i < 40; i++)
        {
            var (method, path) = BodyEndpoints[i % BodyEndpoints.Length];
            byte[] body;
            string kind;
            switch (i % 3)
            {
                case 0:
                    body = new byte[random.Next(1, 200)];
                    random.NextBytes(body);
                    kind = "random bytes";
                    break;
                case 1:
                    body = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(1, 30))
                        .Select(_ => fragments[random.Next(fragments.Length)])));
                    kind = "JSON fragments";
                    break;
                default:
                    var valid = method == "PATCH"
                        ? "[{\"op\": \"add\", \"path\": \"/extra/a\", \"value\": {\"b\": [1, 2, \"c\"]}}]"
                        : "{\"driver\": \"fake-hardware\", \"target\": \"power on\", \"address\": \"52:54:00:12:34:56\"}";
                    var chars = valid.ToCharArray();
                    for (var m = random.Next(1, 5); m > 0; m--) chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
                    body = System.Text.Encoding.UTF8.GetBytes(new string(chars));
                    kind = "a mutated valid body";
                    break;
            }
            yield return new TestCaseData(method, path, body).SetName($"garbage #{i} ({kind}) to {method} {path} is not a 5xx");
        }
    }

    [TestCaseSource(nameof(Garbage))]
    public async Task Garbage_never_gives_a_5xx(string method, string path, byte[] body)
    {
        var fill = await FreshAsync();
        var reply = await Api.SendAsync(new HttpMethod(method), fill(path), body);
        Assert.That(reply.Status, Is.LessThan(500), reply.ToString());
        if (reply.Status >= 400) Expect.Error(reply, reply.Status);
        Assert.That((await Api.GetAsync("/v1/nodes")).Status, Is.EqualTo(200), "still serving");
    }

    /// <summary>Bad input is the client's problem: it is never logged as an unexpected failure.</summary>
    [TearDown]
    public void NothingWasLoggedAsAnError()
    {
        var errors = Server.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
        Assert.That(errors, Is.Empty);
    }
}
