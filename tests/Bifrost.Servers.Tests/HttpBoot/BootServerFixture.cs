using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Store.Sqlite;
using Bifrost.TestKit;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>The real daemon (BifrostServer) with HTTP boot on its own loopback port, and a store over its database.</summary>
public sealed class BootServerFixture : IAsyncDisposable
{
    private BootServerFixture(BifrostServer server, int bootPort)
    {
        Server = server;
        BootPort = bootPort;
        Boot = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{bootPort}") };
        Store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = Path.Combine(server.StateDir, "bifrost.db") });
    }

    public BifrostServer Server { get; }
    public int BootPort { get; }
    public HttpClient Boot { get; }
    public SqliteNodeStore Store { get; }
    public string StateDir => Server.StateDir;

    public static async Task<BootServerFixture> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var port = Net.FreeTcpPort();
        var values = new Dictionary<string, string?> { ["Bifrost:Boot:Listen"] = $"127.0.0.1:{port}" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        return new BootServerFixture(await BifrostServer.StartAsync(values), port);
    }

    /// <summary>A node in <paramref name="state"/> with one port of <paramref name="mac"/>.</summary>
    public async Task<Node> AddNodeAsync(string mac, ProvisionState state, Action<Node>? configure = null)
    {
        var node = NodeBuilder.Fake("n-" + mac.Replace(":", "", StringComparison.Ordinal));
        node.ProvisionState = state;
        configure?.Invoke(node);
        await Store.CreateNodeAsync(node);
        await Store.CreatePortAsync(NodeBuilder.Port(node, mac));
        return node;
    }

    /// <summary>Writes the deploy ramdisk files (their content does not matter to the script).</summary>
    public void AddRamdisk(string kernel = "kernel-bytes", string initrd = "initrd-bytes")
    {
        var dir = Path.Combine(StateDir, "ramdisk");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "bifrost-agent.kernel"), kernel);
        File.WriteAllText(Path.Combine(dir, "bifrost-agent.initramfs"), initrd);
    }

    /// <summary>The node's history entries of type boot, waiting up to 5 s for the timeline writer.</summary>
    public async Task<IReadOnlyList<NodeHistoryEvent>> BootHopsAsync(Guid node, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var hops = (await Store.ListHistoryAsync(node)).Where(h => h.EventType == HistoryEventType.Boot).ToList();
            if (hops.Count >= atLeast || DateTime.UtcNow > deadline) return hops;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Boot.Dispose();
        await Server.DisposeAsync();
    }
}
