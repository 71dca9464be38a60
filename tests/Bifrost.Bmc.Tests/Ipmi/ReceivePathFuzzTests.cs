using System.Threading.Channels;
using Bifrost.Bmc.Ipmi;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Session;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bifrost.Bmc.Tests.Ipmi;

/// <summary>
/// 100,000 random and mutated BMC datagrams through the session's receive path and handshake: nothing escapes but a
/// typed <see cref="IpmiException"/>, and a good answer after garbage is still taken.
/// </summary>
[TestFixture]
public sealed class ReceivePathFuzzTests
{
    private static readonly SessionKeys Keys = new(IntegrityAlgorithm.HmacSha1_96, Enumerable.Range(1, 20).Select(i => (byte)i).ToArray(),
        ConfidentialityAlgorithm.AesCbc128, Enumerable.Range(50, 20).Select(i => (byte)i).ToArray());

    private const uint BmcId = 0x01020304;

    [Test]
    public void Random_and_mutated_datagrams_never_throw_from_the_receive_path()
    {
        using var transport = new ScriptedTransport();
        using var session = new IpmiSession(transport, "node x at BMC test", new IpmiClientOptions(), TimeProvider.System, NullLogger.Instance);
        session.UseKeysForTest(Keys, BmcId);
        var valid = Valid(session.ConsoleSessionId, rqSeq: 3);
        var random = new Random(42);
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var datagram = i % 2 == 0 ? RandomBytes(random) : Mutate(valid, random);
            if (session.TryAcceptResponse(datagram, NetFn.Chassis, GetChassisStatus.Command, 1UL << 3, out _, out var why))
            {
                // Only the 4-byte RMCP header (sequence, reserved) lies outside the AuthCode: anything accepted must
                // be the valid datagram from the session header on.
                Assert.That(datagram[4..], Is.EqualTo(valid[4..]), "an accepted mutation changed signed bytes");
                accepted++;
            }
            else
            {
                Assert.That(why, Is.Not.Null.And.Not.Empty);
            }
        }
        Assert.That(session.TryAcceptResponse(valid, NetFn.Chassis, GetChassisStatus.Command, 1UL << 3, out var good, out _), Is.True);
        Assert.That(good.Data, Is.EqualTo(new byte[] { 0x01, 0x00, 0x00 }));
    }

    [Test]
    public async Task Garbage_before_the_answer_is_dropped_and_the_answer_taken()
    {
        using var transport = new ScriptedTransport();
        using var session = new IpmiSession(transport, "node x at BMC test", new IpmiClientOptions(), TimeProvider.System, NullLogger.Instance);
        session.UseKeysForTest(Keys, BmcId);
        var random = new Random(7);
        for (var i = 0; i < 1000; i++) transport.Enqueue(i % 2 == 0 ? RandomBytes(random) : Mutate(Valid(session.ConsoleSessionId, 1), random));
        transport.Enqueue(Valid(session.ConsoleSessionId, 1)); // the first command's rqSeq is 1
        var response = await session.CommandAsync(NetFn.Chassis, GetChassisStatus.Command, [], "Get Chassis Status",
            DateTimeOffset.UtcNow.AddSeconds(10), default);
        Assert.That(response.CompletionCode, Is.Zero);
    }

    [Test]
    public async Task A_handshake_fed_noise_fails_only_with_typed_errors()
    {
        var random = new Random(5);
        for (var round = 0; round < 200; round++)
        {
            using var transport = new ScriptedTransport();
            using var session = new IpmiSession(transport, "node x at BMC test",
                new IpmiClientOptions { CommandTimeout = TimeSpan.FromMilliseconds(5) }, TimeProvider.System, NullLogger.Instance);
            for (var i = 0; i < 50; i++) transport.Enqueue(RandomPreSession(random));
            var e = Assert.ThrowsAsync<IpmiException>(() => session.OpenAsync(CipherSuite.FromId(3)!,
                new SessionCredentials("admin"u8.ToArray(), IpmiCrypto.UserKey("password"u8), 4), DateTimeOffset.UtcNow.AddMilliseconds(30), default));
            Assert.That(e, Is.Not.Null);
        }
        await Task.CompletedTask;
    }

    private static byte[] Valid(uint consoleId, byte rqSeq)
    {
        var response = new IpmiResponse(NetFn.Chassis | 1, GetChassisStatus.Command, rqSeq, 0, [0x01, 0x00, 0x00]).ToArray();
        var message = new RmcpPlusMessage(PayloadType.Ipmi, consoleId, 9, response);
        var bytes = new byte[message.GetEncodedLength(Keys)];
        return bytes[..message.Write(bytes, Keys, new byte[16])];
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 120)];
        random.NextBytes(bytes);
        if (bytes.Length > 4 && random.Next(2) == 0) (bytes[0], bytes[3]) = (0x06, 0x07); // past the RMCP header check
        if (bytes.Length > 5 && random.Next(2) == 0) bytes[4] = 0x06; // RMCP+ auth type
        return bytes;
    }

    private static byte[] RandomPreSession(Random random)
    {
        // Plausible RMCP+ pre-session datagrams with random payload types and payloads.
        var payload = new byte[random.Next(0, 60)];
        random.NextBytes(payload);
        var type = (PayloadType)(0x10 + random.Next(0, 6));
        if (payload.Length > 1 && random.Next(3) == 0) payload[1] = 0; // status OK more often
        var message = new RmcpPlusMessage(type, 0, 0, payload);
        var bytes = new byte[message.GetEncodedLength(SessionKeys.None)];
        message.Write(bytes, SessionKeys.None);
        return bytes;
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case 2:
                bytes = [.. bytes, .. Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256))];
                break;
            default:
                for (var i = 0; i < 4; i++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                break;
        }
        return bytes;
    }

    /// <summary>A transport that swallows sends and hands out queued datagrams; empty = silence (a timeout).</summary>
    private sealed class ScriptedTransport : IBmcTransport
    {
        private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>();

        public void Enqueue(byte[] datagram) => _inbound.Writer.TryWrite(datagram);

        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken ct) => ValueTask.CompletedTask;

        public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
        {
            var datagram = await _inbound.Reader.ReadAsync(ct);
            var n = Math.Min(datagram.Length, buffer.Length);
            datagram.AsSpan(0, n).CopyTo(buffer.Span);
            return n;
        }

        public void Dispose()
        {
        }
    }
}
