using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Bifrost.Domain.Nodes;
using Bifrost.Domain.Store;
using Bifrost.Domain.Timeline;
using Bifrost.Protocols.Dhcp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Dhcp;

/// <summary>
/// The DHCP socket service: binds port 67 (and 4011 in proxy mode) on the configured interface only, feeds every
/// datagram to <see cref="DhcpResponder"/> and sends what it decides. Leases live in a <see cref="LeaseTable"/>
/// loaded from and written behind to <see cref="ILeaseStore"/>. Also the <see cref="IAddressBook"/> of the boot
/// timeline (IP → MAC from the leases). A bad packet is logged at debug and dropped; only a failing socket stops it.
/// </summary>
public sealed class DhcpServer(
    DhcpServerOptions options, ILeaseStore leaseStore, INodeStore nodes, BootTimeline? timeline, TimeProvider clock,
    ILogger<DhcpServer> log) : BackgroundService, IAddressBook
{
    private const int SolSocket = 1, SoBindToDevice = 25;
    private static readonly TimeSpan KnownTtl = TimeSpan.FromSeconds(60), UnknownTtl = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PortRefresh = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PersistInterval = TimeSpan.FromMilliseconds(200);
    private const int MaxBatch = 10_000;
    private readonly ConcurrentDictionary<string, (bool Known, long Until)> _known = new(StringComparer.Ordinal);
    private volatile HashSet<string> _ports = new(StringComparer.Ordinal);
    private readonly Channel<DhcpLease> _persist = Channel.CreateUnbounded<DhcpLease>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LeaseTable? _leases;

    /// <summary>The responder in use (after start).</summary>
    public DhcpResponder? Responder { get; private set; }

    /// <summary>Completes when the sockets are bound (or faults when they cannot be).</summary>
    public Task Ready => _ready.Task;

    public string? MacFor(IPAddress address) => _leases?.MacFor(address);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Mode == DhcpMode.Off || options.Interface is null)
        {
            _ready.TrySetResult();
            return;
        }
        var sockets = new List<Socket>();
        try
        {
            var advertise = options.Advertise ?? InterfaceAddress(options.Interface);
            var settings = ResolveSettings(advertise);
            if (options.Mode == DhcpMode.Full)
            {
                _leases = new LeaseTable(options.RangeStart!, options.RangeEnd!);
                var stored = await leaseStore.ListLeasesAsync(stoppingToken);
                _leases.Load(stored);
                Log.Loaded(log, stored.Count);
                _leases.Changed += lease => _persist.Writer.TryWrite(lease);
                DhcpMetrics.ObserveLeases(() => _leases.ActiveCount(clock.GetUtcNow()));
            }
            await RefreshPortsAsync(stoppingToken);
            Responder = new DhcpResponder(settings, _leases);
            if (timeline is not null) timeline.AddressBook = this;

            int[] ports = options.Mode == DhcpMode.Proxy ? [67, 4011] : [67];
            foreach (var port in ports) sockets.Add(Bind(options.Interface, port));
            Log.Listening(log, options.Mode, options.Interface, string.Join(",", ports), advertise, settings.BootBaseUrl);
            _ready.TrySetResult();

            var loops = sockets.Select(s => ReceiveLoopAsync(s, ((IPEndPoint)s.LocalEndPoint!).Port == 4011, stoppingToken)).ToList();
            loops.Add(PersistLoopAsync(stoppingToken));
            loops.Add(RefreshPortsLoopAsync(stoppingToken));
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
            DhcpMetrics.ObserveLeases(null);
            await FlushAsync();
        }
    }

    private DhcpResponderSettings ResolveSettings(IPAddress advertise)
    {
        var boot = options.BootUrl?.ToString().TrimEnd('/') ?? $"http://{advertise}:{options.BootPort}";
        return new DhcpResponderSettings
        {
            Mode = options.Mode,
            ServerIdentifier = advertise,
            NextServer = options.TftpServer ?? advertise,
            BootBaseUrl = boot,
            Network = options.Network,
            PrefixLength = options.PrefixLength,
            Router = options.Router,
            Dns = options.Dns,
            Domain = options.Domain,
            LeaseTime = options.LeaseTime,
            ServeUnknown = options.ServeUnknown,
            UefiBootFile = options.UefiBootFile,
            Arm64BootFile = options.Arm64BootFile,
        };
    }

    /// <summary>The interface's first IPv4 address; a clear error when the interface or its address is missing.</summary>
    public static IPAddress InterfaceAddress(string name)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name)
            ?? throw new InvalidOperationException($"Bifrost:Dhcp:Interface: there is no interface '{name}'");
        return nic.GetIPProperties().UnicastAddresses.Select(u => u.Address)
                   .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
               ?? throw new InvalidOperationException(
                   $"Bifrost:Dhcp:Interface: '{name}' has no IPv4 address; give it one or set Bifrost:Dhcp:Advertise");
    }

    private static Socket Bind(string device, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.EnableBroadcast = true;
            socket.ReceiveBufferSize = 4 << 20;
            // SO_BINDTODEVICE: only this interface's traffic, and broadcasts leave through it.
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"DHCP: cannot bind port {port} on {device}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The receive loop of one socket, on a dedicated thread with blocking calls: at thousands of packets a second on a
    /// busy machine, an awaited receive costs two thread wake-ups per packet (the socket engine's epoll thread, then a
    /// pool worker), each waiting for a time slice; a blocking recvfrom wakes the one thread that answers. The socket is
    /// never used asynchronously (that would switch .NET to emulated blocking). Stopping closes the socket.
    /// </summary>
    private Task ReceiveLoopAsync(Socket socket, bool proxyPort, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (ct.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket)) ReceiveLoop(socket, proxyPort, ct);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, 256 * 1024)
        {
            IsBackground = true,
            Name = $"dhcp receive {(proxyPort ? 4011 : 67)}",
        };
        thread.Start();
        return done.Task;
    }

    private void ReceiveLoop(Socket socket, bool proxyPort, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var output = new byte[1500];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            int receivedBytes;
            var from = any;
            try
            {
                receivedBytes = socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is SocketException or ObjectDisposedException) { return; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NoBufferSpaceAvailable)
            {
                continue; // an ICMP error from an earlier send, or an oversized datagram: not fatal
            }
            catch (SocketException e)
            {
                Log.SocketFailed(log, e, proxyPort ? 4011 : 67);
                throw;
            }

            var client = (IPEndPoint)from;
            try
            {
                // Completes synchronously unless an unknown MAC needs a database lookup (ServeUnknown off): then this
                // loop waits for it, as the awaited loop did.
                var handled = HandleAsync(socket, buffer.AsMemory(0, receivedBytes), output, client, proxyPort, ct);
                if (!handled.IsCompletedSuccessfully) handled.AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (Exception e)
            {
                DhcpMetrics.Drops.Add(1, new KeyValuePair<string, object?>("reason", "error"));
                Log.HandlerFailed(log, e, client);
            }
        }
    }

    private async ValueTask HandleAsync(Socket socket, ReadOnlyMemory<byte> datagram, byte[] output, IPEndPoint from, bool proxyPort, CancellationToken ct)
    {
        if (!DhcpPacket.TryRead(datagram.Span, out var request, out var error))
        {
            DhcpMetrics.Drops.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
            Log.Malformed(log, datagram.Length, from, error);
            return;
        }
        DhcpMetrics.PacketsIn.Add(1, new KeyValuePair<string, object?>("message_type", TypeTag(request.MessageType)));
        var mac = request.ClientMac;
        // Whether the MAC is a node's port: from the set of all port MACs (refreshed every PortRefresh), so the
        // receive loop never waits for the database for the MACs of unknown clients. Only when unknown MACs are
        // ignored does a MAC missing from the set get a direct lookup (cached), so a node enrolled a moment ago is
        // answered at once; with ServeUnknown on, its first exchanges may miss the timeline for up to PortRefresh.
        var known = false;
        if (mac is not null)
        {
            if (_ports.Contains(mac)) known = true;
            else if (TryCachedKnown(mac) is { } cached) known = cached;
            else if (!options.ServeUnknown) known = await LookUpAsync(mac, ct);
        }
        var decision = Responder!.Respond(request, new DhcpRequestContext(known, proxyPort, from, clock.GetUtcNow()));
        if (mac is not null)
        {
            Log.Exchange(log, mac, request.TransactionId, decision.Summary);
            if (known && timeline is not null) timeline.TryRecord(mac, HistoryEventType.Dhcp, decision.Summary);
            else DhcpMetrics.Unmatched.Add(1);
        }
        if (decision.Reply is not { } reply || decision.Destination is not { } to) return;

        var maxLength = (int)Math.Clamp(request.Options.Get(DhcpOptionCode.MaxMessageSize) is { Length: 2 } m
            ? (m[0] << 8) | m[1] : DhcpPacket.DefaultMaxLength, DhcpPacket.DefaultMaxLength, output.Length);
        var length = reply.Write(output, maxLength);
        try
        {
            socket.SendTo(output.AsSpan(0, length), SocketFlags.None, to);
            DhcpMetrics.PacketsOut.Add(1, new KeyValuePair<string, object?>("message_type", TypeTag(reply.MessageType)));
        }
        catch (SocketException e)
        {
            Log.SendFailed(log, e, to);
        }
    }

    private async Task RefreshPortsLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(PortRefresh, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await RefreshPortsAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshPortsAsync(CancellationToken ct)
    {
        try
        {
            var ports = await nodes.ListPortsAsync(new PortQuery(), ct);
            _ports = ports.Select(p => BootTimeline.Normalise(p.Address)).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LookupFailed(log, e, "(all ports)");
        }
    }

    private bool? TryCachedKnown(string mac) =>
        _known.TryGetValue(mac, out var cached) && cached.Until > Environment.TickCount64 ? cached.Known : null;

    private async ValueTask<bool> LookUpAsync(string mac, CancellationToken ct)
    {
        bool known;
        try
        {
            known = await nodes.GetPortByAddressAsync(mac, ct) is not null;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e)
        {
            Log.LookupFailed(log, e, mac);
            known = false;
        }
        _known[mac] = (known, Environment.TickCount64 + (long)(known ? KnownTtl : UnknownTtl).TotalMilliseconds);
        return known;
    }

    /// <summary>Writes lease changes behind the responder, batched: whatever queued up goes in one transaction.</summary>
    private async Task PersistLoopAsync(CancellationToken ct)
    {
        try
        {
            while (await _persist.Reader.WaitToReadAsync(ct))
            {
                await SaveQueuedAsync(ct);
                // Let changes pile up for one transaction per interval. Saving whatever was queued at once made
                // batches of a few leases at 2,000 DORA/s, and their transactions (open, parse, commit + fsync) took
                // most of the server's CPU (perf during bench/dhcp), twice Kea's CPU per exchange. A crash loses at
                // most this interval more; a clean stop flushes.
                await Task.Delay(PersistInterval, clock, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes what is still queued at shutdown, so a clean stop loses no lease.</summary>
    private async Task FlushAsync()
    {
        while (_persist.Reader.TryPeek(out _)) await SaveQueuedAsync(CancellationToken.None);
    }

    private async Task SaveQueuedAsync(CancellationToken ct)
    {
        // Only the last change of each address is written (an OFFER's binding is replaced by the ACK's a moment
        // later), in the order of those last changes, which leaves the store as writing them all would.
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        var queued = new List<DhcpLease>();
        while (queued.Count < MaxBatch && _persist.Reader.TryRead(out var lease))
        {
            last[lease.Address] = queued.Count;
            queued.Add(lease);
        }
        if (queued.Count == 0) return;
        var batch = queued.Where((l, i) => last[l.Address] == i).ToList();
        try
        {
            await leaseStore.SaveLeasesAsync(batch, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.PersistFailed(log, e, string.Join(", ", batch.Take(5).Select(l => l.Address)));
        }
    }

    private static string TypeTag(DhcpMessageType? type) => type?.ToString().ToLowerInvariant() ?? "none";
}
