using System.Net;
using Bifrost.Protocols.Dhcp;
using Bifrost.Servers.Dhcp;
using NUnit.Framework;
using static Bifrost.Servers.Tests.Dhcp.Packets;

namespace Bifrost.Servers.Tests.Dhcp;

/// <summary>100,000 random and mutated packets through the decoder and the responder: nothing may throw.</summary>
public class FuzzTests
{
    private const int Iterations = 100_000;

    private static byte[][] Seeds()
    {
        DhcpPacket[] packets =
        [
            Request(DhcpMessageType.Discover).Pxe(7),
            Request(DhcpMessageType.Discover).Pxe(0).With(p => p.Options.SetString(77, "iPXE")),
            Request(DhcpMessageType.Request).With(p =>
            {
                p.Options.SetAddress(50, IPAddress.Parse("10.0.0.100"));
                p.Options.SetAddress(54, Server);
                p.GatewayAddress = IPAddress.Parse("10.0.0.254");
                p.Options.Set(82, [1, 2, 3, 4]);
            }),
            Request(DhcpMessageType.Release).With(p => p.ClientAddress = IPAddress.Parse("10.0.0.100")),
            Request(DhcpMessageType.Inform).With(p => p.ClientAddress = IPAddress.Parse("10.0.0.50")),
            Request(DhcpMessageType.Decline).With(p => p.Options.SetAddress(50, IPAddress.Parse("10.0.0.101"))),
        ];
        return packets.Select(p =>
        {
            var b = new byte[p.GetEncodedLength()];
            p.Write(b);
            return b;
        }).ToArray();
    }

    [Test]
    public void Random_and_mutated_packets_never_throw_from_the_decoder_or_the_responders()
    {
        var random = new Random(4); // fixed seed: a failure is reproducible
        var seeds = Seeds();
        var full = new DhcpResponder(Full(), Pool(50));
        var proxy = new DhcpResponder(Proxy(), null);
        int decoded = 0, answered = 0;
        for (var i = 0; i < Iterations; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[random.Next(0, 700)];
                random.NextBytes(input);
                if (input.Length >= 240 && random.Next(2) == 0) new byte[] { 99, 130, 83, 99 }.CopyTo(input, 236);
            }
            else
            {
                input = Mutate(seeds[random.Next(seeds.Length)], random);
            }

            if (!DhcpPacket.TryRead(input, out var packet, out var error))
            {
                Assert.That(error, Is.Not.Null.And.Not.Empty);
                continue;
            }
            decoded++;
            var context = Context(known: random.Next(2) == 0, proxyPort: random.Next(8) == 0,
                source: new IPEndPoint(IPAddress.Parse("10.0.0.77"), 68));
            foreach (var responder in new[] { full, proxy })
            {
                var decision = responder.Respond(packet, context);
                if (decision.Reply is not { } reply) continue;
                answered++;
                var buffer = new byte[reply.GetEncodedLength(1500)];
                reply.Write(buffer, 1500);
                Assert.That(DhcpPacket.TryRead(buffer, out _, out var again), Is.True, again);
            }
        }
        // The mutations must reach the responder's rules, or this test proves little.
        Assert.That(decoded, Is.GreaterThan(Iterations / 4));
        Assert.That(answered, Is.GreaterThan(Iterations / 20));
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var b = (byte[])seed.Clone();
        switch (random.Next(4))
        {
            case 0: // flip bytes, often in the options
                for (var n = random.Next(1, 6); n > 0; n--) b[random.Next(random.Next(2) == 0 ? 240 : 0, b.Length)] = (byte)random.Next(256);
                return b;
            case 1: // truncate
                return b[..random.Next(0, b.Length)];
            case 2: // append junk options
                var tail = new byte[random.Next(1, 300)];
                random.NextBytes(tail);
                var end = Array.LastIndexOf(b, (byte)255);
                return [.. b[..Math.Max(240, end)], .. tail];
            default: // overload flags and chaddr length games
                b[2] = (byte)random.Next(0, 20);
                var at = 240;
                while (at + 2 < b.Length && b[at] != 255) at += b[at] == 0 ? 1 : 2 + b[at + 1];
                if (at + 3 < b.Length) { b[at] = 52; b[at + 1] = 1; b[at + 2] = (byte)random.Next(0, 4); }
                return b;
        }
    }
}
