using System.Net;
using System.Net.Sockets;

namespace Bifrost.TestKit;

/// <summary>Which faults <see cref="FaultyUdpProxy"/> injects, as probabilities per datagram, and its random seed.</summary>
public sealed record UdpFaults(double Drop = 0, double Duplicate = 0, double Reorder = 0, TimeSpan MaxDelay = default, int Seed = 1);

/// <summary>
/// A UDP proxy that loses, repeats, reorders and delays datagrams between one client and one server (e.g. a client
/// and an ipmi_sim): the "bad network / bad BMC" a retrying client must survive. Listens on 127.0.0.1:<see cref="Port"/>;
/// answers go back to whoever sent last. Faults are drawn from one seeded <see cref="Random"/> (the schedule is
/// reproducible in kind, not in timing). Counters say how many faults were actually injected.
/// </summary>
public sealed class FaultyUdpProxy : IDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly UdpFaults _faults;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private EndPoint? _client;
    private byte[]? _heldForward;
    private byte[]? _heldBackward;

    public FaultyUdpProxy(IPEndPoint server, UdpFaults faults)
    {
        _faults = faults;
        _random = new Random(faults.Seed);
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Connect(server);
        Port = ((IPEndPoint)_front.LocalEndPoint!).Port;
        _loops = [Task.Run(ForwardAsync), Task.Run(BackwardAsync)];
    }

    public int Port { get; }
    public int Dropped;
    public int Duplicated;
    public int Reordered;
    public int Delayed;

    private async Task ForwardAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var r = await _front.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                lock (_lock) _client = r.RemoteEndPoint;
                await PassAsync(buffer.AsSpan(0, r.ReceivedBytes).ToArray(), forward: true);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task BackwardAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var n = await _back.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                await PassAsync(buffer.AsSpan(0, n).ToArray(), forward: false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task PassAsync(byte[] datagram, bool forward)
    {
        double drop, dup, reorder, delayFraction;
        lock (_lock) (drop, dup, reorder, delayFraction) = (_random.NextDouble(), _random.NextDouble(), _random.NextDouble(), _random.NextDouble());
        if (drop < _faults.Drop)
        {
            Interlocked.Increment(ref Dropped);
            return;
        }
        if (reorder < _faults.Reorder)
        {
            // Hold this one back; it goes out after the next datagram in the same direction.
            lock (_lock)
            {
                if (forward ? _heldForward is null : _heldBackward is null)
                {
                    if (forward) _heldForward = datagram;
                    else _heldBackward = datagram;
                    Interlocked.Increment(ref Reordered);
                    return;
                }
            }
        }
        if (_faults.MaxDelay > TimeSpan.Zero && delayFraction < 0.5)
        {
            Interlocked.Increment(ref Delayed);
            _ = Task.Delay(_faults.MaxDelay * delayFraction * 2).ContinueWith(_ => SendAsync(datagram, forward, dup), TaskScheduler.Default);
            return;
        }
        await SendAsync(datagram, forward, dup);
    }

    private async Task SendAsync(byte[] datagram, bool forward, double dup)
    {
        byte[]? held;
        lock (_lock)
        {
            held = forward ? _heldForward : _heldBackward;
            if (forward) _heldForward = null;
            else _heldBackward = null;
        }
        try
        {
            await SendOneAsync(datagram, forward);
            if (dup < _faults.Duplicate)
            {
                Interlocked.Increment(ref Duplicated);
                await SendOneAsync(datagram, forward);
            }
            if (held is not null) await SendOneAsync(held, forward);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task SendOneAsync(byte[] datagram, bool forward)
    {
        if (forward)
        {
            await _back.SendAsync(datagram, SocketFlags.None);
            return;
        }
        EndPoint? client;
        lock (_lock) client = _client;
        if (client is not null) await _front.SendToAsync(datagram, SocketFlags.None, client);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            Task.WaitAll(_loops, TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        _front.Dispose();
        _back.Dispose();
        _stop.Dispose();
    }
}
