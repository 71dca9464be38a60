using System.Collections.Concurrent;
using System.Diagnostics;
using Bifrost.Protocols.Tftp;

namespace Bifrost.Servers.Tftp;

/// <summary>
/// Runs many transfers of a <see cref="TftpServer"/> on one thread (the server spreads its transfers over a few of
/// these): an epoll wait over their sockets and the nearest retransmission deadline, then each ready transfer reads
/// its ACK and sends its next window. This is dnsmasq's design. A thread per transfer (what atftpd does, and what Bifrost did before) costs a thread wake-up per
/// ACK; with 100 transfers at once that was 1.6 times dnsmasq's CPU, and 0.6 times its throughput.
/// </summary>
/// <remarks>
/// The files are read on this thread (boot files sit in the page cache); nothing else here blocks. Transfers are
/// handed over through <see cref="Add"/> from any thread.
/// </remarks>
internal sealed class TftpEventLoop : IDisposable
{
    /// <summary>Ready descriptors taken per wait; more stay ready for the next one (level-triggered).</summary>
    private const int MaxEvents = 256;

    private readonly Epoll _epoll = new(MaxEvents);
    private readonly ConcurrentQueue<TftpTransferRunner> _incoming = new();
    private readonly Dictionary<ulong, TftpTransferRunner> _running = [];
    private readonly byte[] _receive = new byte[TftpWire.MaxPacket];
    private readonly CancellationToken _ct;
    private readonly Thread _thread;
    private readonly CancellationTokenRegistration _stop;
    private long _nextDeadline = long.MaxValue;
    private ulong _nextTag;
    private volatile bool _closing;
    private volatile Exception? _failure;

    public TftpEventLoop(CancellationToken ct)
    {
        _ct = ct;
        _thread = new Thread(Run) { IsBackground = true, Name = "tftp transfers" };
        _thread.Start();
        _stop = ct.UnsafeRegister(static s => ((Epoll)s!).Wake(), _epoll);
    }

    /// <summary>Starts <paramref name="runner"/> on the loop; its <see cref="TftpTransferRunner.Completion"/> ends with it.</summary>
    public void Add(TftpTransferRunner runner)
    {
        _incoming.Enqueue(runner);
        _epoll.Wake();
        if (_ct.IsCancellationRequested || _closing || _failure is not null) DrainIncoming();
    }

    private void Run()
    {
        Span<ulong> ready = stackalloc ulong[MaxEvents];
        try
        {
            while (!_ct.IsCancellationRequested && !_closing)
            {
                var n = _epoll.Wait(ready, TimeoutMs());
                for (var i = 0; i < n; i++)
                {
                    if (ready[i] == Epoll.WakeTag) StartIncoming();
                    else if (_running.TryGetValue(ready[i], out var runner) && !runner.OnReadable(_receive)) Forget(ready[i], runner);
                }
                if (Stopwatch.GetTimestamp() >= _nextDeadline) CheckDeadlines();
            }
        }
        catch (Exception e)
        {
            // epoll itself failed (nothing a transfer does throws here): every transfer of this loop, running or yet
            // to come, ends with the error, which the server logs per transfer, instead of the thread taking the
            // process down or transfers waiting forever.
            _failure = e;
        }
        finally
        {
            foreach (var runner in _running.Values) End(runner);
            _running.Clear();
            DrainIncoming();
        }
    }

    private void StartIncoming()
    {
        while (!_ct.IsCancellationRequested && _incoming.TryDequeue(out var runner))
        {
            if (!runner.Begin()) continue;
            var tag = _nextTag++;
            try
            {
                _epoll.Add(runner.Descriptor, tag);
            }
            catch (Exception e)
            {
                runner.Abandon(e);
                continue;
            }
            _running[tag] = runner;
            _nextDeadline = Math.Min(_nextDeadline, runner.Deadline);
        }
    }

    /// <summary>Retransmits (or gives up) where a deadline has passed, and finds the next deadline.</summary>
    private void CheckDeadlines()
    {
        var now = Stopwatch.GetTimestamp();
        var next = long.MaxValue;
        List<ulong>? ended = null;
        foreach (var (tag, runner) in _running)
        {
            if (runner.Deadline <= now && !runner.OnTimer()) (ended ??= []).Add(tag);
            else next = Math.Min(next, runner.Deadline);
        }
        if (ended is not null)
        {
            foreach (var tag in ended) Forget(tag, _running[tag]);
        }
        _nextDeadline = next;
    }

    private void Forget(ulong tag, TftpTransferRunner runner)
    {
        _running.Remove(tag);
        runner.Close(_epoll);
    }

    /// <summary>
    /// Milliseconds until the nearest deadline, rounded up so a wait never ends early; -1 with nothing to wait for.
    /// A transfer's deadline only moves later (each send sets it to now + its timeout), so the earliest one seen is a
    /// lower bound until the next scan; a bound that is stale costs one scan that finds nothing.
    /// </summary>
    private int TimeoutMs()
    {
        if (_running.Count == 0 || _nextDeadline == long.MaxValue) return -1;
        var ms = Math.Ceiling(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _nextDeadline).TotalMilliseconds);
        return (int)Math.Clamp(ms, 0, int.MaxValue);
    }

    private void DrainIncoming()
    {
        while (_incoming.TryDequeue(out var runner)) End(runner);
    }

    /// <summary>A transfer the loop will not run on: cancelled when the server stops, failed when the loop failed.</summary>
    private void End(TftpTransferRunner runner)
    {
        if (_failure is { } failure) runner.Abandon(failure);
        else runner.Cancel();
    }

    /// <summary>Stops the loop: transfers still running are cancelled (their completions end as cancelled).</summary>
    public void Dispose()
    {
        if (_closing) return;
        _closing = true;
        _stop.Dispose();
        _epoll.Wake();
        if (Thread.CurrentThread != _thread) _thread.Join();
        _epoll.Dispose();
    }
}
