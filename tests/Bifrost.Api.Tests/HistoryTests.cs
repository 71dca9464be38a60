namespace Bifrost.Api.Tests;

/// <summary>Node history (API 1.78): GET /v1/nodes/{n}/history and /history/{event}.</summary>
public sealed class HistoryTests : ApiFixture
{
    private const string Timestamp = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$";

    private async Task<(JsonObject Node, JsonArray History)> ManagedAndProvidedAsync(string query = "")
    {
        var node = await Api.CreateNodeAsync();
        await Api.ProvisionAsync(Name(node), "manage");
        await Api.ProvisionAsync(Name(node), "provide");
        var reply = await Api.GetAsync($"/v1/nodes/{Name(node)}/history{query}");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        return (node, reply.Object["history"]!.AsArray());
    }

    [Test]
    public async Task History_lists_the_transitions_of_manage_and_provide()
    {
        var (node, history) = await ManagedAndProvidedAsync();
        var events = history.Select(e => e!["event"]!.GetValue<string>()).ToList();
        // The wording of an event is Bifrost's; each names the states it moved between, oldest first.
        foreach (var state in (string[])["verifying", "manageable", "cleaning", "available"])
            Assert.That(events, Has.Some.Contains(state));
        Assert.That(events.FindIndex(e => e.Contains("verifying", StringComparison.Ordinal)),
            Is.LessThan(events.FindLastIndex(e => e.Contains("available", StringComparison.Ordinal))), "oldest first");

        foreach (var entry in history.Select(e => e!.AsObject()))
        {
            Assert.That(entry.Select(kv => kv.Key).Order(StringComparer.Ordinal),
                Is.EqualTo(new[] { "created_at", "event", "links", "severity", "uuid" }));
            Assert.That(entry["created_at"]!.GetValue<string>(), Does.Match(Timestamp));
            Assert.That(entry["severity"]!.GetValue<string>(), Is.EqualTo("INFO"));
            var id = entry["uuid"]!.GetValue<string>();
            Assert.That(entry["links"]?[0]?["href"]?.GetValue<string>(), Is.EqualTo($"{Api.Base}/v1/nodes/{Uuid(node)}/history/{id}"));
            Assert.That(entry["links"]?[1]?["rel"]?.GetValue<string>(), Is.EqualTo("bookmark"));
        }
    }

    [TestCase("?detail=True")]
    [TestCase("?detail=true")]
    [TestCase("/detail")]
    public async Task Detail_adds_event_type_conductor_and_user(string query)
    {
        var (_, history) = await ManagedAndProvidedAsync(query);
        Assert.That(history, Is.Not.Empty);
        foreach (var entry in history.Select(e => e!.AsObject()))
        {
            Assert.That(entry.Select(kv => kv.Key).Order(StringComparer.Ordinal),
                Is.EqualTo(new[] { "conductor", "created_at", "event", "event_type", "links", "severity", "user", "uuid" }));
            Assert.That(entry["conductor"]!.GetValue<string>(), Is.EqualTo("test-conductor"));
            Assert.That(entry["event_type"]!.GetValue<string>(), Is.Not.Empty);
        }
    }

    [Test]
    public async Task One_entry_is_shown_in_detail()
    {
        var (node, history) = await ManagedAndProvidedAsync();
        var first = history[0]!.AsObject();
        var id = first["uuid"]!.GetValue<string>();
        var reply = await Api.GetAsync($"/v1/nodes/{Uuid(node)}/history/{id}");
        Assert.That(reply.Status, Is.EqualTo(200), reply.ToString());
        Assert.That(reply.Object["uuid"]?.GetValue<string>(), Is.EqualTo(id));
        Assert.That(reply.Object["event"]?.GetValue<string>(), Is.EqualTo(first["event"]!.GetValue<string>()));
        Assert.That(reply.Object.ContainsKey("event_type"), Is.True);
    }

    [Test]
    public async Task An_unknown_entry_is_404()
    {
        var node = await Api.CreateNodeAsync();
        var id = Guid.NewGuid();
        Expect.Fault(await Api.GetAsync($"/v1/nodes/{Uuid(node)}/history/{id}"), 404, $"Node history record {id} could not be found.");
    }

    [Test]
    public async Task A_failed_action_is_recorded_with_severity_error()
    {
        var node = await Api.CreateNodeAsync(new JsonObject { ["driver"] = "ipmi" });
        await Api.ProvisionAsync(Uuid(node), "manage");
        var history = (await Api.GetAsync($"/v1/nodes/{Uuid(node)}/history")).Object["history"]!.AsArray();
        Assert.That(history.Select(e => e!["severity"]!.GetValue<string>()), Does.Contain("ERROR"));
    }

    [Test]
    public async Task History_pages_with_limit_and_next()
    {
        var (node, all) = await ManagedAndProvidedAsync();
        Assert.That(all.Count, Is.GreaterThanOrEqualTo(3));
        var seen = new List<string>();
        string? url = $"/v1/nodes/{Uuid(node)}/history?limit=2";
        for (var pages = 0; url is not null && pages < 20; pages++)
        {
            var page = (await Api.GetAsync(url)).Object;
            seen.AddRange(page["history"]!.AsArray().Select(e => e!["uuid"]!.GetValue<string>()));
            url = page["next"]?.GetValue<string>() is { } next ? new Uri(next).PathAndQuery : null;
        }
        Assert.That(seen, Is.EqualTo(all.Select(e => e!["uuid"]!.GetValue<string>())));
    }
}
