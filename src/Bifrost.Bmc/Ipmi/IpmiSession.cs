using System.Security.Cryptography;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Session;
using Microsoft.Extensions.Logging;

namespace Bifrost.Bmc.Ipmi;

/// <summary>Who logs in: user name (≤ 16 bytes), Kuid (the password as 20 bytes) and the privilege to ask for.</summary>
public sealed record SessionCredentials(byte[] Username, byte[] Kuid, byte Privilege);

/// <summary>
/// One RMCP+ session with one BMC (IPMI v2.0 §13.14-13.23): the handshake as straight-line code over the pure codecs
/// and crypto of Bifrost.Protocols, then IPMI commands inside the session. Every datagram sent — retries included —
/// carries the next session sequence number and a new rqSeq, and an answer to any attempt of the current command is
/// accepted (a late answer to attempt 1 is as good as one to attempt 2). Not thread-safe: the client serializes
/// per BMC.
/// </summary>
public sealed partial class IpmiSession : IDisposable
{
    /// <summary>Decides whether a datagram is the awaited answer; <paramref name="reason"/> says why not.</summary>
    public delegate bool Acceptor<T>(ReadOnlySpan<byte> datagram, out T result, out string? reason);

    private readonly IBmcTransport _transport;
    private readonly string _bmc;
    private readonly IpmiClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly byte[] _buffer = new byte[2048];
    private SessionKeys _keys = SessionKeys.None;
    private uint _outboundSequence;
    private byte _rqSeq;
    private byte _tag;

    /// <summary>A session over <paramref name="transport"/>, not yet open: <see cref="OpenAsync"/> does the handshake.
    /// Public so tests can drive the receive path without a BMC.</summary>
    public IpmiSession(IBmcTransport transport, string bmc, IpmiClientOptions options, TimeProvider time, ILogger log)
    {
        _transport = transport;
        _bmc = bmc;
        _options = options;
        _time = time;
        _log = log;
        ConsoleSessionId = RandomSessionId();
        _tag = (byte)System.Security.Cryptography.RandomNumberGenerator.GetInt32(256);
    }

    public uint ConsoleSessionId { get; }
    public uint BmcSessionId { get; private set; }
    public CipherSuite? Suite { get; private set; }
    public bool IsOpen { get; private set; }
    public DateTimeOffset LastUsed { get; private set; }

    /// <summary>Whether any datagram had to be sent again: then a failed handshake may be a lost or stale packet
    /// (a retransmitted RAKP 1 gets a new BMC random), not a wrong password.</summary>
    public bool Retransmitted { get; private set; }

    /// <summary>Keys installed by a test that drives the receive path directly.</summary>
    public void UseKeysForTest(SessionKeys keys, uint bmcSessionId)
    {
        _keys = keys;
        BmcSessionId = bmcSessionId;
        IsOpen = true;
    }

    /// <summary>
    /// Runs one request/response exchange: sends <paramref name="build"/>'s datagram, waits up to the command timeout
    /// for a datagram <paramref name="accept"/> takes (others are logged at debug and dropped), and sends a fresh
    /// datagram again until <paramref name="deadline"/>; then the BMC is unreachable.
    /// </summary>
    public async Task<T> ExchangeAsync<T>(
        string what, Func<byte[]> build, Acceptor<T> accept, DateTimeOffset deadline, CancellationToken ct, int maxAttempts = int.MaxValue)
    {
        var started = _time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero || attempt > maxAttempts)
            {
                throw new IpmiException(IpmiErrorKind.Unreachable,
                    $"{_bmc}: no answer to {what} within {(_time.GetUtcNow() - started).TotalSeconds:0.#} s " +
                    $"({attempt - 1} attempt{(attempt == 2 ? "" : "s")}): the BMC is unreachable");
            }
            if (attempt > 1)
            {
                IpmiMetrics.Retransmits.Add(1);
                Retransmitted = true;
            }
            await _transport.SendAsync(build(), ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(remaining < _options.CommandTimeout ? remaining : _options.CommandTimeout);
            try
            {
                while (true)
                {
                    var n = await _transport.ReceiveAsync(_buffer, timeout.Token);
                    if (accept(_buffer.AsSpan(0, n), out var result, out var reason)) return result;
                    Log.Dropped(_log, _bmc, reason ?? "not the awaited answer");
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Log.Retry(_log, _bmc, attempt, what);
            }
        }
    }

    /// <summary>
    /// Sends one IPMI command in the session and returns the BMC's response (any completion code; the caller
    /// decides). The receive path is <see cref="TryAcceptResponse"/>.
    /// </summary>
    public async Task<IpmiResponse> CommandAsync(
        byte netFn, byte command, byte[] data, string what, DateTimeOffset deadline, CancellationToken ct, int maxAttempts = int.MaxValue)
    {
        ulong sent = 0; // rqSeq values of this command's attempts, as a 64-bit set
        var response = await ExchangeAsync(what,
            () =>
            {
                var rqSeq = NextRqSeq();
                sent |= 1UL << rqSeq;
                return Wrap(PayloadType.Ipmi, BmcSessionId, new IpmiRequest(netFn, command, rqSeq, data).ToArray());
            },
            (ReadOnlySpan<byte> d, out IpmiResponse r, out string? why) => TryAcceptResponse(d, netFn, command, sent, out r, out why),
            deadline, ct, maxAttempts);
        LastUsed = _time.GetUtcNow();
        return response;
    }

    /// <summary>
    /// The session's receive path, pure over the session state: true when <paramref name="datagram"/> is a
    /// well-formed, authentic (integrity, encryption as negotiated) response to <paramref name="command"/> with one of
    /// the rqSeq values in <paramref name="rqSeqs"/>. Never throws for any input.
    /// </summary>
    public bool TryAcceptResponse(
        ReadOnlySpan<byte> datagram, byte netFn, byte command, ulong rqSeqs, out IpmiResponse response, out string? why)
    {
        response = null!;
        if (!RmcpPlusMessage.TryRead(datagram, _keys, out var message, out why)) return false;
        if (message.Type != PayloadType.Ipmi)
        {
            why = $"payload type {message.Type} where an IPMI message was expected";
            return false;
        }
        if (message.SessionId != ConsoleSessionId)
        {
            why = $"session ID 0x{message.SessionId:x8} is not ours (0x{ConsoleSessionId:x8})";
            return false;
        }
        if (!IpmiResponse.TryRead(message.Payload, out response, out why)) return false;
        if (response.NetFn != (netFn | 1) || response.Command != command || (rqSeqs & (1UL << (response.RqSeq & 0x3F))) == 0)
        {
            why = $"response netFn 0x{response.NetFn:x2} cmd 0x{response.Command:x2} rqSeq {response.RqSeq} answers another request";
            response = null!;
            return false;
        }
        return true;
    }

    /// <summary>Close Session, one attempt, best effort: frees the BMC's slot (ipmi_sim has 63 per channel).</summary>
    public async Task CloseAsync(string why, CancellationToken ct)
    {
        if (!IsOpen) return;
        IsOpen = false;
        try
        {
            var deadline = _time.GetUtcNow() + _options.CommandTimeout;
            await CommandAsync(NetFn.App, CloseSession.Command, CloseSession.Request(BmcSessionId), "Close Session", deadline, ct, maxAttempts: 1);
        }
        catch (IpmiException)
        {
            // The BMC will time the session out itself.
        }
        catch (OperationCanceledException)
        {
        }
        Log.SessionClosed(_log, _bmc, BmcSessionId, why);
    }

    public void Dispose() => _transport.Dispose();

    private byte[] Wrap(PayloadType type, uint sessionId, byte[] payload)
    {
        // Pre-session messages carry sequence 0; inside a session every datagram gets the next number (never 0).
        var sequence = sessionId == 0 ? 0 : ++_outboundSequence == 0 ? ++_outboundSequence : _outboundSequence;
        var message = new RmcpPlusMessage(type, sessionId, sequence, payload);
        var keys = sessionId == 0 ? SessionKeys.None : _keys;
        var bytes = new byte[message.GetEncodedLength(keys)];
        var length = message.Write(bytes, keys);
        return length == bytes.Length ? bytes : bytes[..length];
    }

    private byte NextRqSeq() => _rqSeq = (byte)((_rqSeq + 1) & 0x3F);

    /// <summary>Message tags (IPMI v2.0 §13.17) start at a random value per session: a late or duplicated answer to a
    /// previous session's request (an error status carries no session ID to tell it apart) must not match ours.</summary>
    private byte NextTag() => ++_tag;

    private static uint RandomSessionId()
    {
        Span<byte> id = stackalloc byte[4];
        uint value;
        do
        {
            RandomNumberGenerator.Fill(id);
            value = BitConverter.ToUInt32(id);
        } while (value == 0);
        return value;
    }
}
