namespace Bifrost.Api.Tests;

/// <summary>
/// IRONIC-API.md §5 list paging: a full page carries "next", and following it visits every node once. This server
/// has max_limit 5 and exactly <see cref="Count"/> nodes, created once.
/// </summary>
public sealed class PaginationTests : ApiFixture
{
    private const int Count = 12;
    private readonly List<string> _uuids = [];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Bifrost:Api:MaxLimit"] = "5" };

    [OneTimeSetUp]
    public async Task CreateNodesAsync()
    {
        for (var i = 0; i < Count; i++)
            _uuids.Add(Uuid(await Api.CreateNodeAsync(new JsonObject { ["name"] = $"page-{i:D2}" })));
    }

    private async Task<List<(JsonArray Nodes, string? Next)>> WalkAsync(string first)
    {
        var pages = new List<(JsonArray, string?)>();
        string? url = first;
        while (url is not null && pages.Count < 50)
        {
            var reply = await Api.GetAsync(url);
            Assert.That(reply.Status, Is.EqualTo(200), $"{url}: {reply}");
            var next = reply.Object["next"]?.GetValue<string>();
            pages.Add((reply.Object["nodes"]!.AsArray(), next));
            if (next is not null) Assert.That(next, Does.StartWith($"{Api.Base}/v1/nodes"));
            url = next is null ? null : new Uri(next).PathAndQuery;
        }
        return pages;
    }

    private static IEnumerable<TestCaseData> Walks()
    {
        yield return new TestCaseData("/v1/nodes", new[] { 5, 5, 2 }).SetName("max_limit pages the list by 5");
        yield return new TestCaseData("/v1/nodes?limit=3", new[] { 3, 3, 3, 3, 0 })
            .SetName("a limit that divides the count ends with an empty page after the last full one");
        yield return new TestCaseData("/v1/nodes?limit=100", new[] { 5, 5, 2 }).SetName("a limit above max_limit is capped");
        yield return new TestCaseData("/v1/nodes?limit=0", new[] { 5, 5, 2 }).SetName("limit 0 means max_limit");
        yield return new TestCaseData("/v1/nodes/detail?limit=4", new[] { 4, 4, 4, 0 }).SetName("detail pages too");
        yield return new TestCaseData("/v1/nodes/?fields=uuid,name&limit=7", new[] { 5, 5, 2 })
            .SetName("fields pages too");
    }

    [TestCaseSource(nameof(Walks))]
    public async Task Next_is_present_exactly_when_a_page_is_full_and_walks_every_node_once(string first, int[] sizes)
    {
        var pages = await WalkAsync(first);
        Assert.That(pages.Select(p => p.Nodes.Count), Is.EqualTo(sizes));
        var limit = sizes.Max();
        Assert.That(pages.Select(p => p.Next is not null), Is.EqualTo(sizes.Select(s => s == limit)), "next on full pages only");
        var seen = pages.SelectMany(p => p.Nodes).Select(n => n!["uuid"]!.GetValue<string>()).ToList();
        Assert.That(seen, Is.EqualTo(_uuids), "every node once, in creation order");
    }

    [Test]
    public async Task Next_keeps_the_fields_and_the_view()
    {
        var reply = await Api.GetAsync("/v1/nodes/detail?limit=2");
        Assert.That(reply.Object["next"]?.GetValue<string>(), Does.StartWith($"{Api.Base}/v1/nodes/detail?"));
        var fields = await Api.GetAsync("/v1/nodes?fields=uuid,name&limit=2");
        var next = fields.Object["next"]!.GetValue<string>();
        Assert.That(next, Does.Contain("limit=2").And.Contain($"marker={_uuids[1]}"));
        var second = await Api.GetAsync(new Uri(next).PathAndQuery);
        Assert.That(second.Object["nodes"]!.AsArray().Select(n => n!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal)),
            Has.All.EqualTo(new[] { "links", "name", "uuid" }));
    }

    [Test]
    public async Task A_marker_starts_after_that_node()
    {
        var reply = await Api.GetAsync($"/v1/nodes?limit=2&marker={_uuids[3]}");
        Assert.That(reply.Object["nodes"]!.AsArray().Select(n => n!["uuid"]!.GetValue<string>()),
            Is.EqualTo(_uuids.Skip(4).Take(2)));
    }

    [Test]
    public async Task An_unknown_marker_is_404()
    {
        var marker = Guid.NewGuid();
        var reply = await Api.GetAsync($"/v1/nodes?marker={marker}");
        Expect.Fault(reply, 404, $"Node {marker} could not be found.");
    }

    [TestCase("-1")]
    [TestCase("-100")]
    public async Task A_negative_limit_is_400(string limit)
    {
        var reply = await Api.GetAsync($"/v1/nodes?limit={limit}");
        Expect.Fault(reply, 400, "Limit must be positive");
    }

    [TestCase("abc")]
    [TestCase("1.5")]
    public async Task A_limit_that_is_not_a_number_is_400(string limit)
    {
        var reply = await Api.GetAsync($"/v1/nodes?limit={limit}");
        Expect.Error(reply, 400);
    }

    [Test]
    public async Task Sort_dir_desc_reverses_the_order()
    {
        var pages = await WalkAsync("/v1/nodes?sort_dir=desc");
        var seen = pages.SelectMany(p => p.Nodes).Select(n => n!["uuid"]!.GetValue<string>()).ToList();
        Assert.That(seen, Is.EqualTo(Enumerable.Reverse(_uuids)));
    }

    [TestCase("asc")]
    [TestCase("desc")]
    public async Task Sort_key_name_orders_by_name_across_pages(string dir)
    {
        var pages = await WalkAsync($"/v1/nodes?sort_key=name&sort_dir={dir}&limit=4");
        var names = pages.SelectMany(p => p.Nodes).Select(n => n!["name"]!.GetValue<string>()).ToList();
        var expected = Enumerable.Range(0, Count).Select(i => $"page-{i:D2}");
        Assert.That(names, Is.EqualTo(dir == "asc" ? expected : expected.Reverse()));
        Assert.That(pages[0].Next, Does.Contain("sort_key=name").And.Contain($"sort_dir={dir}"));
    }

    [Test]
    public async Task Sort_key_uuid_orders_by_uuid()
    {
        var pages = await WalkAsync("/v1/nodes?sort_key=uuid");
        var seen = pages.SelectMany(p => p.Nodes).Select(n => n!["uuid"]!.GetValue<string>()).ToList();
        Assert.That(seen, Is.EqualTo(_uuids.Order(StringComparer.Ordinal)));
    }

    [Test]
    public async Task An_unknown_sort_key_is_400()
    {
        Expect.Fault(await Api.GetAsync("/v1/nodes?sort_key=nope"), 400,
            "The sort_key value \"nope\" is an invalid field for sorting");
    }

    [Test]
    public async Task An_unknown_sort_dir_is_400()
    {
        Expect.Fault(await Api.GetAsync("/v1/nodes?sort_dir=up"), 400,
            "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'");
    }
}
