using System.Diagnostics.Metrics;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;

namespace Bifrost.Api.Metrics;

/// <summary>
/// Nodes by provision state and by power state, as observable gauges. The numbers come from one grouped count in the
/// store, refreshed when /metrics is scraped and the last count is older than <see cref="MaxAge"/>: an idle appliance
/// nobody scrapes runs no query at all, and a burst of scrapes runs one.
/// </summary>
public sealed class NodeStateGauges : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly INodeStore _store;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private IReadOnlyList<NodeStateCount> _counts = [];
    private DateTimeOffset _countedAt = DateTimeOffset.MinValue;

    /// <param name="scope">The exporter's scope: this meter belongs to one application (see <see cref="PrometheusExporter"/>).</param>
    public NodeStateGauges(INodeStore store, TimeProvider time, object scope)
    {
        _store = store;
        _time = time;
        _meter = new Meter("Bifrost.Nodes", version: null, tags: null, scope: scope);
        _meter.CreateObservableGauge("bifrost_nodes_by_provision_state", ByProvisionState, unit: null,
            description: "Nodes in each provision state (every state is listed, 0 when empty).");
        _meter.CreateObservableGauge("bifrost_nodes_by_power_state", ByPowerState, unit: null,
            description: "Nodes in each power state (\"none\": never read).");
    }

    /// <summary>Counts again when the last count is older than <see cref="MaxAge"/>.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        if (_time.GetUtcNow() - _countedAt < MaxAge) return;
        await _refreshing.WaitAsync(ct);
        try
        {
            if (_time.GetUtcNow() - _countedAt < MaxAge) return;
            _counts = await _store.CountNodesByStateAsync(ct);
            _countedAt = _time.GetUtcNow();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private IEnumerable<Measurement<int>> ByProvisionState()
    {
        var counts = _counts;
        foreach (var state in ProvisionStates.All)
            yield return new Measurement<int>(counts.Where(c => c.ProvisionState == state).Sum(c => c.Count),
                new KeyValuePair<string, object?>("provision_state", state.ToWire()));
    }

    private IEnumerable<Measurement<int>> ByPowerState() =>
        _counts.GroupBy(c => c.PowerState ?? "none", StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Sum(c => c.Count), new KeyValuePair<string, object?>("power_state", g.Key)));

    public void Dispose()
    {
        _meter.Dispose();
        _refreshing.Dispose();
    }
}
