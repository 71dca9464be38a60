using Bifrost.Protocols.Tftp;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests.Tftp;

/// <summary>Random and mutated datagrams through every decoder and the transfer state machine: nothing may throw.</summary>
public class TftpFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        [0, 1, .. "ipxe.efi\0octet\0tsize\00\0blksize\01468\0windowsize\04\0"u8],
        [0, 2, .. "upload\0octet\0"u8],
        [0, 1, .. "a/b\0netascii\0timeout\03\0"u8],
        [0, 3, 0, 1, 1, 2, 3],
        [0, 4, 0, 0],
        [0, 4, 0xff, 0xff],
        [0, 5, 0, 8, .. "abort\0"u8],
        [0, 6, .. "blksize\01468\0"u8],
    ];

    [Test]
    public void Hundred_thousand_random_and_mutated_packets_throw_nothing()
    {
        var random = new Random(4242); // fixed: a failure must be reproducible
        var limits = new TftpLimits();
        var transfers = new[]
        {
            new TftpReadTransfer(1_000_000, new TftpTransferOptions(512, 1, TimeSpan.FromSeconds(1), []), 3),
            new TftpReadTransfer(70_000L * 512, new TftpTransferOptions(512, 16, TimeSpan.FromSeconds(1), [new("tsize", "1")]), 3),
        };
        foreach (var t in transfers) t.Start();
        var decoded = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var packet = i % 2 == 0 ? RandomBytes(random) : Mutate(random, Seeds[random.Next(Seeds.Length)]);
            if (TftpRequest.TryRead(packet, out var request, out _))
            {
                decoded++;
                var negotiated = TftpOptions.Negotiate(request, random.NextInt64(0, 1L << 40), limits);
                Assert.That(negotiated.BlockSize, Is.InRange(TftpOptions.MinBlockSize, TftpOptions.MaxBlockSize));
                Assert.That(negotiated.WindowSize, Is.InRange(1, TftpOptions.MaxWindowSize));
                var buffer = new byte[request.GetEncodedLength()];
                request.Write(buffer);
            }
            TftpData.TryRead(packet, out _, out _, out _);
            TftpOptionAck.TryRead(packet, out _, out _);
            var transfer = transfers[i % transfers.Length];
            if (transfer.IsFinished)
            {
                transfers[i % transfers.Length] = transfer = new TftpReadTransfer(random.Next(0, 10_000_000),
                    new TftpTransferOptions(random.Next(8, 2000), random.Next(1, 64), TimeSpan.FromSeconds(1), []), 3);
                transfer.Start();
            }
            if (TftpAck.TryRead(packet, out var block, out _)) transfer.OnAck(block);
            else if (TftpError.TryRead(packet, out var error, out _)) transfer.OnError(error.Code, error.Message);
            else if (random.Next(50) == 0) transfer.OnTimeout();
        }
        Assert.That(decoded, Is.GreaterThan(1000), "the mutations must also produce valid requests, or half the fuzz is idle");
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 80)];
        random.NextBytes(bytes);
        // Give half of them a real opcode so they get past the first check.
        if (bytes.Length >= 2 && random.Next(2) == 0) (bytes[0], bytes[1]) = (0, (byte)random.Next(0, 8));
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = seed.ToList();
        var edits = random.Next(0, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(4))
            {
                case 0 when bytes.Count > 0: bytes[random.Next(bytes.Count)] = (byte)random.Next(256); break;
                case 1 when bytes.Count > 0: bytes.RemoveAt(random.Next(bytes.Count)); break;
                case 2: bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256)); break;
                case 3 when bytes.Count > 2: bytes.RemoveRange(random.Next(bytes.Count), 1); bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList(); break;
            }
        }
        return [.. bytes];
    }
}
