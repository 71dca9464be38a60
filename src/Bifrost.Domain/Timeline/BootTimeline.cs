using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.Channels;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Store;
using Microsoft.Extensions.Logging;

namespace Bifrost.Domain.Timeline;

/// <summary>Maps a client's IPv4 address to the MAC it got it for (the DHCP server's lease table implements it).</summary>
public interface IAddressBook
{
    string? MacFor(IPAddress address);
}

/// <summary>
/// The boot hops of a node's timeline: DHCP exchanges, TFTP transfers and HTTP boot fetches, recorded in the history of
/// the node that owns the MAC. Servers call <see cref="TryRecord"/> on their hot path: it only queues (never blocks,
/// never throws); <see cref="RunAsync"/> resolves MACs to nodes and writes history in the background. Hops of MACs that
/// belong to no node are only counted (<see cref="Unmatched"/>); a full queue drops the hop rather than slowing a server.
/// </summary>
public sealed class BootTimeline(INodeStore store, TimeProvider clock, ILogger<BootTimeline> log, string conductor = "bifrost")
{
    private readonly Channel<Hop> _queue = Channel.CreateBounded<Hop>(
        new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private static readonly Meter Meter = new("Bifrost.Timeline");

    /// <summary>Boot hops by <c>type</c> (dhcp, tftp, boot) and <c>outcome</c>: recorded, unmatched (no node owns the
    /// MAC), dropped (queue full).</summary>
    private static readonly Counter<long> Hops = Meter.CreateCounter<long>("bifrost_timeline_boot_hops", unit: null,
        description: "Boot hops offered to node timelines, by type and outcome (recorded, unmatched, dropped).");

    private long _dropped;
    private long _unmatched;

    /// <summary>Set by the DHCP server so hops known only by IP (TFTP, HTTP) can be matched to a MAC.</summary>
    public IAddressBook? AddressBook { get; set; }

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <param name="mac">The client's MAC in any common spelling (normalised to aa:bb:cc:dd:ee:ff).</param>
    /// <param name="eventType">A <see cref="HistoryEventType"/>: dhcp, tftp or boot.</param>
    public void TryRecord(string mac, string eventType, string message, string severity = HistorySeverity.Info)
    {
        if (!_queue.Writer.TryWrite(new Hop(Normalise(mac), null, eventType, message, severity, clock.GetUtcNow())))
            Drop(eventType);
    }

    /// <summary>A hop known by the client's address only (TFTP, HTTP): matched through <see cref="AddressBook"/>.</summary>
    public void TryRecord(IPAddress client, string eventType, string message, string severity = HistorySeverity.Info)
    {
        if (!_queue.Writer.TryWrite(new Hop(null, client, eventType, message, severity, clock.GetUtcNow())))
            Drop(eventType);
    }

    private void Drop(string eventType)
    {
        Interlocked.Increment(ref _dropped);
        Count(eventType, "dropped");
    }

    private static void Count(string eventType, string outcome) =>
        Hops.Add(1, new KeyValuePair<string, object?>("type", eventType), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Writes queued hops until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var hop in _queue.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await WriteAsync(hop, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "boot timeline: could not record {Type} hop: {Message}", hop.EventType, hop.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(Hop hop, CancellationToken ct)
    {
        var mac = hop.Mac ?? (hop.Client is { } ip ? AddressBook?.MacFor(ip) : null);
        var port = mac is null ? null : await store.GetPortByAddressAsync(mac, ct);
        if (port is null)
        {
            Interlocked.Increment(ref _unmatched);
            Count(hop.EventType, "unmatched");
            return;
        }
        await store.AddHistoryAsync(new NodeHistoryEvent
        {
            Uuid = Guid.NewGuid(),
            NodeUuid = port.NodeUuid,
            CreatedAt = hop.At,
            Severity = hop.Severity,
            EventType = hop.EventType,
            Event = hop.Message,
            Conductor = conductor,
        }, ct);
        Count(hop.EventType, "recorded");
    }

    /// <summary>aa:bb:cc:dd:ee:ff, lower case: the spelling ports are stored in.</summary>
    public static string Normalise(string mac) => mac.Replace('-', ':').ToLowerInvariant();

    private sealed record Hop(string? Mac, IPAddress? Client, string EventType, string Message, string Severity, DateTimeOffset At);
}
