using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Protocols.Ipmi.Crypto;
using Microsoft.Extensions.Logging;

namespace Bifrost.Bmc.Ipmi;

public sealed partial class IpmiClient
{
    /// <summary>Per-BMC state: the lock that serializes conversations, pacing, the chosen suite and the open session.</summary>
    private sealed class Bmc
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public DateTimeOffset LastCommand = DateTimeOffset.MinValue;
        public int? DiscoveredSuite;
        public IpmiSession? Session;
        public string? SessionKey;

        public async Task CloseAsync(string why, CancellationToken ct)
        {
            await Lock.WaitAsync(ct);
            try
            {
                await DropAsync(why, ct);
            }
            finally
            {
                Lock.Release();
            }
        }

        public async Task DropAsync(string why, CancellationToken ct)
        {
            if (Session is not { } session) return;
            Session = null;
            SessionKey = null;
            await session.CloseAsync(why, ct);
            session.Dispose();
        }
    }

    private async Task<T> RunAsync<T>(
        IpmiTarget target, string command, Func<IpmiSession, DateTimeOffset, CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var forced = CheckForcedSuite(target);
        var credentials = Credentials(target);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        var bmc = _bmcs.GetOrAdd((target.Bmc.Address, target.Bmc.Port), _ => new Bmc());
        // Per-BMC lock first, global slot second: callers queued on one busy BMC must not hold slots others need.
        await bmc.Lock.WaitAsync(ct);
        try
        {
            var wait = bmc.LastCommand + _options.MinCommandInterval - _time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct);
            await _global.WaitAsync(ct);
            try
            {
                var deadline = _time.GetUtcNow() + _options.RetryBudget;
                var result = await RunInSessionAsync(bmc, target, forced, credentials, operation, deadline, ct);
                outcome = "ok";
                return result;
            }
            catch (IpmiException e)
            {
                outcome = e.Failure.ToString().ToLowerInvariant();
                throw;
            }
            finally
            {
                bmc.LastCommand = _time.GetUtcNow();
                _global.Release();
            }
        }
        finally
        {
            bmc.Lock.Release();
            IpmiMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("outcome", outcome));
            IpmiMetrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("command", command));
        }
    }

    private async Task<T> RunInSessionAsync<T>(
        Bmc bmc, IpmiTarget target, CipherSuite? forced, SessionCredentials credentials,
        Func<IpmiSession, DateTimeOffset, CancellationToken, Task<T>> operation, DateTimeOffset deadline, CancellationToken ct)
    {
        while (true)
        {
            var reused = bmc.Session is { IsOpen: true } s && _time.GetUtcNow() - s.LastUsed < _options.SessionIdleLimit
                && bmc.SessionKey == SessionKey(target, s.Suite!.Id) && (forced is null || forced.Id == s.Suite.Id);
            if (!reused)
            {
                await bmc.DropAsync(bmc.Session is null ? "none" : "idle or different credentials", ct);
                await OpenSessionAsync(bmc, target, forced, credentials, deadline, ct);
            }
            var session = bmc.Session!;
            // A reused session may have died on the BMC's side (restart, idle timeout): give it two attempts, then
            // re-establish within the same budget instead of spending the whole budget on a dead session.
            var commandDeadline = reused ? Min(deadline, _time.GetUtcNow() + 2 * _options.CommandTimeout) : deadline;
            try
            {
                return await operation(session, commandDeadline, ct);
            }
            catch (IpmiException e) when (reused && e.Failure == IpmiErrorKind.Unreachable && _time.GetUtcNow() < deadline)
            {
                Log.Reopen(_log, target.Describe(), e.Message);
                bmc.Session = null;
                bmc.SessionKey = null;
                session.Dispose();
            }
        }
    }

    private async Task OpenSessionAsync(
        Bmc bmc, IpmiTarget target, CipherSuite? forced, SessionCredentials credentials, DateTimeOffset deadline, CancellationToken ct)
    {
        var endpoint = await ResolveAsync(target, ct);
        IReadOnlyList<int> candidates;
        if (forced is not null) candidates = [forced.Id];
        else if (bmc.DiscoveredSuite is { } known) candidates = [known];
        else candidates = await DiscoverAsync(target, endpoint, deadline, ct);

        IpmiException? last = null;
        foreach (var id in candidates)
        {
            var suite = CipherSuite.FromId(id)!;
            var session = new IpmiSession(_transports(endpoint), target.Describe(), _options, _time, _log);
            try
            {
                while (true)
                {
                    try
                    {
                        await session.OpenAsync(suite, credentials, deadline, ct);
                        break;
                    }
                    catch (IpmiException e) when (session.Retransmitted && _time.GetUtcNow() < deadline
                        && e.Failure is IpmiErrorKind.Protocol or IpmiErrorKind.AuthenticationFailed or IpmiErrorKind.Unreachable)
                    {
                        // Packets were lost or repeated during the handshake: start over rather than blame the password.
                        Log.Reopen(_log, target.Describe(), e.Message);
                        session.Dispose();
                        session = new IpmiSession(_transports(endpoint), target.Describe(), _options, _time, _log);
                    }
                }
                Interlocked.Increment(ref _sessionsOpened);
                if (forced is null && bmc.DiscoveredSuite is null)
                {
                    bmc.DiscoveredSuite = id;
                    Log.SuiteChosen(_log, target.Describe(), id, candidates.Count > 1 ? $"tried {string.Join(", ", candidates)}" : "offered by the BMC");
                }
                bmc.Session = session;
                bmc.SessionKey = SessionKey(target, id);
                return;
            }
            catch (IpmiException e) when (e.Failure == IpmiErrorKind.UnsupportedCipherSuite && forced is null)
            {
                session.Dispose();
                last = e;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        throw last ?? new IpmiException(IpmiErrorKind.UnsupportedCipherSuite, $"{target.Describe()}: no usable cipher suite");
    }

    /// <summary>Which suites to try, best first: those the BMC lists (of 17 and 3), or both when it does not answer
    /// the pre-session query in time.</summary>
    private async Task<IReadOnlyList<int>> DiscoverAsync(IpmiTarget target, IPEndPoint endpoint, DateTimeOffset deadline, CancellationToken ct)
    {
        using var probe = new IpmiSession(_transports(endpoint), target.Describe(), _options, _time, _log);
        var discoveryDeadline = Min(deadline, _time.GetUtcNow() + _options.CipherDiscoveryTimeout);
        var offered = await probe.DiscoverSuitesAsync(discoveryDeadline, ct);
        if (offered is null) return PreferredSuites;
        var usable = PreferredSuites.Where(offered.Contains).ToArray();
        if (usable.Length > 0) return usable;
        throw new IpmiException(IpmiErrorKind.UnsupportedCipherSuite,
            $"{target.Describe()}: the BMC offers cipher suites {string.Join(", ", offered)}, none of which Bifrost uses " +
            "(17 or 3; set driver_info ipmi_cipher_suite to force another)");
    }

    /// <summary>A suite forced by driver_info, checked before any packet is sent; null when not forced.</summary>
    private CipherSuite? CheckForcedSuite(IpmiTarget target)
    {
        if (target.Bmc.CipherSuite is not { } id) return null;
        var suite = CipherSuite.FromId(id)
            ?? throw new IpmiException(IpmiErrorKind.UnsupportedCipherSuite, $"{target.Describe()}: cipher suite {id} is not defined by IPMI v2.0");
        if (!suite.IsImplemented)
        {
            throw new IpmiException(IpmiErrorKind.UnsupportedCipherSuite,
                $"{target.Describe()}: cipher suite {id} uses MD5 or RC4, which Bifrost does not implement; use 17 or 3");
        }
        if (!suite.IsSecure && !_options.AllowInsecureCipherSuites)
        {
            throw new IpmiException(IpmiErrorKind.UnsupportedCipherSuite,
                $"{target.Describe()}: cipher suite {id} refused: it has {suite.Weakness()}, so anyone on the BMC network " +
                "could read or forge commands. Use 17 or 3, or set Bifrost:Ipmi:AllowInsecureCipherSuites=true");
        }
        return suite;
    }

    private static async Task<IPEndPoint> ResolveAsync(IpmiTarget target, CancellationToken ct)
    {
        if (IPAddress.TryParse(target.Bmc.Address, out var ip)) return new IPEndPoint(ip, target.Bmc.Port);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Bmc.Address, ct);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (address is not null) return new IPEndPoint(address, target.Bmc.Port);
        }
        catch (SocketException)
        {
        }
        throw new IpmiException(IpmiErrorKind.Unreachable, $"{target.Describe()}: cannot resolve {target.Bmc.Address}");
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
