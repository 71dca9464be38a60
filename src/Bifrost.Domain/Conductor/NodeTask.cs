using Bifrost.Domain.Drivers;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;

namespace Bifrost.Domain.Conductor;

/// <summary>
/// A node held under its exclusive lock (Ironic's TaskManager). Acquire with
/// <c>await using var task = await conductor.AcquireAsync(node, "purpose", ct);</c>. Disposing releases the lock,
/// unless the task was handed to background work, which releases it when that work ends.
/// </summary>
public sealed class NodeTask : IAsyncDisposable
{
    private readonly Conductor _conductor;
    private int _released;

    internal NodeTask(Conductor conductor, Node node, HardwareType hardware, string purpose)
    {
        _conductor = conductor;
        Node = node;
        Hardware = hardware;
        Purpose = purpose;
    }

    /// <summary>The node as stored when the lock was taken; change it, then save or fire.</summary>
    public Node Node { get; }

    public HardwareType Hardware { get; }

    public string Purpose { get; }

    internal bool HandedOff { get; set; }

    /// <summary>
    /// The one place a provision state changes: checks the transition table, sets state, target and
    /// provision_updated_at (and last_error when given), persists them with a history event in one transaction, and
    /// logs the transition.
    /// </summary>
    public Task FireAsync(
        ProvisionEvent ev, string? lastError = null, ProvisionState? target = null, CancellationToken ct = default) =>
        _conductor.FireAsync(this, ev, lastError, target, ct);

    /// <summary>Persists changes to the node other than its provision state.</summary>
    public Task SaveAsync(CancellationToken ct = default) => _conductor.Store.SaveNodeAsync(Node, null, ct);

    /// <summary>Persists the node together with a history entry.</summary>
    public Task SaveAsync(string eventType, string severity, string message, CancellationToken ct = default) =>
        _conductor.Store.SaveNodeAsync(Node, _conductor.NewHistory(Node, eventType, severity, message), ct);

    /// <summary>Adds a history entry without changing the node.</summary>
    public Task RecordAsync(string eventType, string severity, string message, CancellationToken ct = default) =>
        _conductor.Store.AddHistoryAsync(_conductor.NewHistory(Node, eventType, severity, message), ct);

    internal async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        await _conductor.Store.ReleaseAsync(Node.Uuid, _conductor.Options.Host, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!HandedOff) await ReleaseAsync();
    }
}
