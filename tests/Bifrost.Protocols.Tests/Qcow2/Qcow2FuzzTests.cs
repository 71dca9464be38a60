using System.Buffers.Binary;
using Bifrost.Protocols.Qcow2;

namespace Bifrost.Protocols.Tests.Qcow2;

/// <summary>Random and mutated headers and entries through the pure decoders: an answer every time, never an exception.</summary>
public class Qcow2FuzzTests
{
    [Test]
    public void Hundred_thousand_random_and_mutated_headers_never_throw()
    {
        var random = new Random(5);
        var seeds = new[]
        {
            Qcow2HeaderTests.Header(), Qcow2HeaderTests.Header(version: 2), Qcow2HeaderTests.Header(clusterBits: 21),
            Qcow2HeaderTests.Header(backingOffset: 512, backingSize: 10), Qcow2HeaderTests.Header(clusterBits: 9, size: 1 << 20),
        };
        int accepted = 0, refused = 0;
        for (var i = 0; i < 100_000; i++)
        {
            byte[] bytes;
            if (i % 4 == 0)
            {
                bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                if (bytes.Length >= 4 && i % 8 == 0) BinaryPrimitives.WriteUInt32BigEndian(bytes, Qcow2Header.Magic);
            }
            else
            {
                bytes = (byte[])seeds[random.Next(seeds.Length)].Clone();
                for (var m = random.Next(1, 6); m > 0; m--) bytes[random.Next(0, 120)] = (byte)random.Next(256);
                if (i % 3 == 0) bytes = bytes[..random.Next(0, 120)];
            }
            if (Qcow2Header.TryRead(bytes, out var h, out var error))
            {
                accepted++;
                Assert.That(h.ClusterBits, Is.InRange(9, 21));
                Assert.That((long)h.L1Size * 8, Is.LessThanOrEqualTo(Qcow2Header.MaxL1Bytes));
                Assert.That(h.L1Size >= (h.Size + h.BytesPerL2 - 1) / h.BytesPerL2, Is.True);
            }
            else
            {
                refused++;
                Assert.That(error, Is.Not.Null.And.Not.Empty);
            }

            var entry = BinaryPrimitives.ReadUInt64BigEndian(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
            var bits = random.Next(9, 22);
            if (Qcow2Entry.TryReadL2(entry, bits, out var cluster, out _))
                Assert.That(cluster.HostOffset, Is.InRange(0L, 1L << 56));
            Qcow2Entry.TryReadL1(entry, bits, out _, out _);
        }
        // Both paths were really exercised.
        Assert.That(accepted, Is.GreaterThan(1000));
        Assert.That(refused, Is.GreaterThan(1000));
    }
}
