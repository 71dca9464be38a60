using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using Bifrost.TestKit;

namespace Bifrost.Store.Sqlite.Tests;

/// <summary>
/// Filters, sort keys and keyset pagination over one shared, read-only set of 25 nodes whose sort columns have
/// duplicates and NULLs. Each answer is checked against the same rule computed in LINQ.
/// </summary>
public class NodeListTests
{
    private static readonly ProvisionState[] States =
        [ProvisionState.Enroll, ProvisionState.Available, ProvisionState.DeployWait, ProvisionState.Active];

    private TestStore _db = null!;
    private List<Node> _nodes = null!; // in insertion order

    [OneTimeSetUp]
    public async Task CreateNodes()
    {
        _db = await TestStore.CreateAsync();
        _nodes = [];
        var t0 = Fixtures.T0;
        for (var i = 0; i < 25; i++)
        {
            var node = NodeBuilder.Fake(i % 5 == 0 ? null : $"node-{i * 7 % 25:D2}");
            node.Driver = new[] { "ipmi", "fake-hardware", "redfish" }[i % 3];
            node.ProvisionState = States[i % 4];
            node.PowerState = i % 3 == 0 ? null : i % 2 == 0 ? PowerStates.On : PowerStates.Off;
            node.CreatedAt = t0.AddMinutes(i % 6);
            node.UpdatedAt = i % 4 == 0 ? null : t0.AddSeconds(i * 3 % 10);
            node.ProvisionUpdatedAt = i % 5 == 1 ? null : t0.AddHours(i % 7);
            node.Maintenance = i % 3 == 1;
            node.ResourceClass = i % 2 == 0 ? "small" : "large";
            node.Fault = i % 6 == 0 ? "power failure" : null;
            node.Reservation = i % 4 == 3 ? "conductor-a" : null;
            await _db.Store.CreateNodeAsync(node);
            _nodes.Add(node);
        }
    }

    [OneTimeTearDown]
    public async Task Dispose() => await _db.DisposeAsync();

    private static IEnumerable<TestCaseData> Filters()
    {
        var t0 = Fixtures.T0;
        TestCaseData Case(string name, NodeQuery query, Func<Node, bool> rule) => new TestCaseData(query, rule).SetName(name);
        yield return Case("no filter → every node", new NodeQuery(), _ => true);
        yield return Case("provision_state in {available, wait call-back}",
            new NodeQuery { ProvisionStates = [ProvisionState.Available, ProvisionState.DeployWait] },
            n => n.ProvisionState is ProvisionState.Available or ProvisionState.DeployWait);
        yield return Case("provision_state in {} → nothing", new NodeQuery { ProvisionStates = [] }, _ => false);
        yield return Case("maintenance=true", new NodeQuery { Maintenance = true }, n => n.Maintenance);
        yield return Case("maintenance=false", new NodeQuery { Maintenance = false }, n => !n.Maintenance);
        yield return Case("driver=redfish", new NodeQuery { Driver = "redfish" }, n => n.Driver == "redfish");
        yield return Case("resource_class=large", new NodeQuery { ResourceClass = "large" }, n => n.ResourceClass == "large");
        yield return Case("fault=power failure", new NodeQuery { Fault = "power failure" }, n => n.Fault == "power failure");
        yield return Case("reserved=true", new NodeQuery { Reserved = true }, n => n.Reservation is not null);
        yield return Case("reserved=false", new NodeQuery { Reserved = false }, n => n.Reservation is null);
        yield return Case("provision_updated_at before t0+3h (unset never matches)",
            new NodeQuery { ProvisionUpdatedBefore = t0.AddHours(3) },
            n => n.ProvisionUpdatedAt is { } at && at < t0.AddHours(3));
        yield return Case("filters combine with AND",
            new NodeQuery { Driver = "ipmi", Maintenance = false, ProvisionStates = [ProvisionState.Enroll, ProvisionState.Active] },
            n => n.Driver == "ipmi" && !n.Maintenance && n.ProvisionState is ProvisionState.Enroll or ProvisionState.Active);
    }

    [TestCaseSource(nameof(Filters))]
    public async Task Filter_returns_exactly_the_matching_nodes_in_insertion_order(NodeQuery query, Func<Node, bool> rule)
    {
        var listed = await _db.Store.ListNodesAsync(query);

        Assert.That(listed.Select(n => n.Uuid), Is.EqualTo(_nodes.Where(rule).Select(n => n.Uuid)));
    }

    private static IEnumerable<TestCaseData> SortOrders()
    {
        foreach (var key in Enum.GetValues<NodeSortKey>())
        {
            foreach (var dir in Enum.GetValues<SortDirection>())
            {
                yield return new TestCaseData(key, dir).SetName($"sort_key={key} {dir} → by key, then insertion order, same direction");
            }
        }
    }

    [TestCaseSource(nameof(SortOrders))]
    public async Task Sort_key_orders_by_the_key_then_insertion_order(NodeSortKey key, SortDirection dir)
    {
        var listed = await _db.Store.ListNodesAsync(new NodeQuery { SortKey = key, SortDir = dir });

        Assert.That(listed.Select(n => n.Uuid), Is.EqualTo(Expected(key, dir).Select(n => n.Uuid)));
    }

    private static IEnumerable<TestCaseData> Pages()
    {
        foreach (var key in Enum.GetValues<NodeSortKey>())
        {
            foreach (var dir in Enum.GetValues<SortDirection>())
            {
                yield return new TestCaseData(key, dir).SetName($"pages of 7 by {key} {dir} visit every node once, in order");
            }
        }
    }

    [TestCaseSource(nameof(Pages))]
    public async Task Keyset_pages_walk_every_node_exactly_once(NodeSortKey key, SortDirection dir)
    {
        var walked = new List<Guid>();
        Guid? marker = null;
        var pages = 0;
        while (true)
        {
            var page = await _db.Store.ListNodesAsync(new NodeQuery { SortKey = key, SortDir = dir, Limit = 7, Marker = marker });
            if (page.Count == 0) break;
            Assert.That(page, Has.Count.LessThanOrEqualTo(7));
            walked.AddRange(page.Select(n => n.Uuid));
            marker = page[^1].Uuid;
            Assert.That(++pages, Is.LessThanOrEqualTo(5), "pagination does not terminate");
        }

        Assert.That(walked, Is.EqualTo(Expected(key, dir).Select(n => n.Uuid)));
        Assert.That(pages, Is.EqualTo(4));
    }

    private static IEnumerable<TestCaseData> IndexedOrders()
    {
        foreach (var key in Enum.GetValues<NodeSortKey>())
        {
            foreach (var dir in Enum.GetValues<SortDirection>())
            {
                yield return new TestCaseData(key, dir).SetName($"a page sorted by {key} {dir}, after a marker, walks an index instead of sorting every node");
            }
        }
    }

    /// <summary>Guards list speed without timing: SQLite's plan must not sort the whole table for any sort key.</summary>
    [TestCaseSource(nameof(IndexedOrders))]
    public async Task Sorted_pages_are_index_walks(NodeSortKey key, SortDirection dir)
    {
        var sql = new NodeListSql(new NodeQuery { SortKey = key, SortDir = dir, Limit = 10 });
        sql.After("x", 5);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db.DatabasePath}");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql.Build();
        foreach (var (name, value) in sql.Parameters) explain.Parameters.AddWithValue(name, value);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        }

        Assert.That(plan, Has.None.Contains("TEMP B-TREE"));
        Assert.That(plan, Has.Some.Contains("USING").And.Some.Contains("SEARCH"), "the marker must be an index range, not a filter");
    }

    [Test]
    public async Task Marker_continues_after_a_node_the_filter_excludes()
    {
        var marker = _nodes.First(n => n.Driver != "ipmi");

        var listed = await _db.Store.ListNodesAsync(new NodeQuery { Driver = "ipmi", Marker = marker.Uuid });

        var after = _nodes.SkipWhile(n => n.Uuid != marker.Uuid).Skip(1).Where(n => n.Driver == "ipmi");
        Assert.That(listed.Select(n => n.Uuid), Is.EqualTo(after.Select(n => n.Uuid)));
    }

    [Test]
    public void Unknown_marker_is_a_NodeNotFoundException()
    {
        var marker = Guid.NewGuid();

        var e = Assert.ThrowsAsync<NodeNotFoundException>(() => _db.Store.ListNodesAsync(new NodeQuery { Marker = marker }));

        Assert.That(e!.Message, Does.Contain(marker.ToString()));
    }

    [Test]
    public async Task Limit_null_means_all_and_limit_0_means_none()
    {
        Assert.That(await _db.Store.ListNodesAsync(new NodeQuery { Limit = null }), Has.Count.EqualTo(25));
        Assert.That(await _db.Store.ListNodesAsync(new NodeQuery { Limit = 0 }), Is.Empty);
    }

    [Test]
    public async Task Count_counts_every_node() => Assert.That(await _db.Store.CountNodesAsync(), Is.EqualTo(25));

    /// <summary>The documented order in LINQ: the key (NULL as the empty string, text compared ordinally), then id.</summary>
    private List<Node> Expected(NodeSortKey key, SortDirection dir)
    {
        var indexed = _nodes.Select((node, id) => (node, id, sort: SortValue(node, key, id))).ToList();
        var sign = dir == SortDirection.Desc ? -1 : 1;
        indexed.Sort((a, b) =>
        {
            var bySort = string.CompareOrdinal(a.sort, b.sort);
            return sign * (bySort != 0 ? bySort : a.id.CompareTo(b.id));
        });
        return [.. indexed.Select(x => x.node)];
    }

    private static string SortValue(Node n, NodeSortKey key, int id) => key switch
    {
        NodeSortKey.Id => id.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
        NodeSortKey.Uuid => n.Uuid.ToString(),
        NodeSortKey.Name => n.Name ?? "",
        NodeSortKey.CreatedAt => n.CreatedAt.UtcTicks.ToString("D20", System.Globalization.CultureInfo.InvariantCulture),
        NodeSortKey.UpdatedAt => n.UpdatedAt?.UtcTicks.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) ?? "",
        NodeSortKey.ProvisionState => n.ProvisionState.ToWire(),
        NodeSortKey.ProvisionUpdatedAt => n.ProvisionUpdatedAt?.UtcTicks.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) ?? "",
        NodeSortKey.Driver => n.Driver,
        NodeSortKey.PowerState => n.PowerState ?? "",
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };
}
