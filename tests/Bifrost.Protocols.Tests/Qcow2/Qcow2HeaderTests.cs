using System.Buffers.Binary;
using Bifrost.Protocols.Qcow2;

namespace Bifrost.Protocols.Tests.Qcow2;

/// <summary>The pure qcow2 header and table-entry decoders: what is read, what is malformed, what is refused.</summary>
public class Qcow2HeaderTests
{
    /// <summary>A header as qemu-img writes it: 64 KiB clusters, 1 GiB virtual, L1 at cluster 3.</summary>
    internal static byte[] Header(int version = 3, int clusterBits = 16, long size = 1L << 30, int? l1Size = null,
        long l1Offset = 3L << 16, uint crypt = 0, ulong incompatible = 0, ulong backingOffset = 0, uint backingSize = 0,
        uint headerLength = 112, byte compressionType = 0)
    {
        var bytes = new byte[4096];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(s, Qcow2Header.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], (uint)version);
        BinaryPrimitives.WriteUInt64BigEndian(s[8..], backingOffset);
        BinaryPrimitives.WriteUInt32BigEndian(s[16..], backingSize);
        BinaryPrimitives.WriteUInt32BigEndian(s[20..], (uint)clusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(s[24..], (ulong)size);
        BinaryPrimitives.WriteUInt32BigEndian(s[32..], crypt);
        var perL2 = (1L << clusterBits) / 8 * (1L << clusterBits);
        BinaryPrimitives.WriteUInt32BigEndian(s[36..], (uint)(l1Size ?? (int)((size + perL2 - 1) / perL2)));
        BinaryPrimitives.WriteUInt64BigEndian(s[40..], (ulong)l1Offset);
        BinaryPrimitives.WriteUInt64BigEndian(s[48..], 1UL << clusterBits); // refcount table
        BinaryPrimitives.WriteUInt32BigEndian(s[56..], 1);
        if (version == 3)
        {
            BinaryPrimitives.WriteUInt64BigEndian(s[72..], incompatible);
            BinaryPrimitives.WriteUInt32BigEndian(s[96..], 4);
            BinaryPrimitives.WriteUInt32BigEndian(s[100..], headerLength);
            s[104] = compressionType;
        }
        if (backingSize > 0) "base.qcow2"u8.CopyTo(s[(int)backingOffset..]);
        return bytes;
    }

    [Test]
    public void Version_3_header_is_read_field_by_field()
    {
        Assert.That(Qcow2Header.TryRead(Header(), out var h, out var error), Is.True, error);
        Assert.That((h.Version, h.ClusterSize, h.Size, h.L1Size, h.L1TableOffset, h.HeaderLength, h.Unsupported),
            Is.EqualTo((3, 65536, 1L << 30, 2, 3L << 16, 112, (string?)null)));
        Assert.That(h.L2Entries, Is.EqualTo(8192));
    }

    [Test]
    public void Version_2_header_needs_only_72_bytes()
    {
        Assert.That(Qcow2Header.TryRead(Header(version: 2).AsSpan(0, 72), out var h, out var error), Is.True, error);
        Assert.That((h.Version, h.HeaderLength, h.IncompatibleFeatures), Is.EqualTo((2, 72, 0UL)));
    }

    private static IEnumerable<TestCaseData> Malformed() =>
    [
        new TestCaseData(Header()[..71], "truncated").SetName("fewer than 72 bytes → malformed (truncated)"),
        new TestCaseData(Header(version: 3)[..100], "truncated").SetName("v3 header shorter than 104 bytes → malformed"),
        new TestCaseData(new byte[112], "magic").SetName("no QFI\\xfb magic → not a qcow2 image"),
        new TestCaseData(Header(version: 1), "version 1").SetName("version 1 → refused by version"),
        new TestCaseData(Header(version: 4), "version 4").SetName("version 4 → refused by version"),
        new TestCaseData(Header(clusterBits: 8), "cluster_bits 8").SetName("512-byte minimum: cluster_bits 8 → malformed"),
        new TestCaseData(Header(clusterBits: 22), "cluster_bits 22").SetName("2 MiB maximum: cluster_bits 22 → malformed"),
        new TestCaseData(Header(size: 1L << 40, l1Size: 1), "cannot map").SetName("L1 too small for the virtual size → malformed"),
        new TestCaseData(Header(clusterBits: 9, size: 1L << 40), "exceeds").SetName("L1 table over 32 MiB → malformed (no huge allocation)"),
        new TestCaseData(Header(l1Offset: 1000), "cluster-aligned").SetName("L1 offset not cluster-aligned → malformed"),
        new TestCaseData(Header(l1Offset: 0), "cluster-aligned").SetName("L1 offset 0 with entries → malformed"),
        new TestCaseData(Header(headerLength: 100), "header_length").SetName("v3 header_length below 104 → malformed"),
        new TestCaseData(Header(size: -1), "too large").SetName("virtual size beyond 2^62 → malformed"),
    ];

    [TestCaseSource(nameof(Malformed))]
    public void Malformed_headers_are_said_not_thrown(byte[] bytes, string expected)
    {
        Assert.That(Qcow2Header.TryRead(bytes, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }

    private static IEnumerable<TestCaseData> Unsupported() =>
    [
        new TestCaseData(Header(backingOffset: 512, backingSize: 10), "backing file 'base.qcow2'").SetName("backing file → refused, naming the file"),
        new TestCaseData(Header(crypt: 1), "encrypted (AES)").SetName("AES encryption → refused"),
        new TestCaseData(Header(crypt: 2), "encrypted (LUKS)").SetName("LUKS encryption → refused"),
        new TestCaseData(Header(incompatible: 1 << 2), "external data file").SetName("external data file bit → refused"),
        new TestCaseData(Header(incompatible: 1 << 4), "extended L2").SetName("extended L2 (subclusters) bit → refused"),
        new TestCaseData(Header(incompatible: 1 << 1), "corrupt").SetName("corrupt bit → refused with the repair command"),
        new TestCaseData(Header(incompatible: 1 << 3, compressionType: 1), "zstd").SetName("zstd compression type → refused"),
        new TestCaseData(Header(incompatible: 1 << 9), "unknown incompatible features 0x200").SetName("unknown incompatible bit → refused"),
    ];

    [TestCaseSource(nameof(Unsupported))]
    public void Valid_headers_asking_for_what_Bifrost_does_not_read_are_unsupported(byte[] bytes, string expected)
    {
        Assert.That(Qcow2Header.TryRead(bytes, out var h, out var error), Is.True, error);
        Assert.That(h.Unsupported, Does.Contain(expected));
    }

    [Test]
    public void Dirty_bit_and_zlib_compression_type_are_fine()
    {
        Assert.That(Qcow2Header.TryRead(Header(incompatible: 1 | 1 << 3, compressionType: 0), out var h, out _), Is.True);
        Assert.That(h.Unsupported, Is.Null);
    }

    private static IEnumerable<TestCaseData> L2Entries() =>
    [
        new TestCaseData(0UL, 16, new Qcow2Cluster(Qcow2ClusterKind.Unallocated, 0, 0)).SetName("L2 entry 0 → unallocated"),
        new TestCaseData(1UL, 16, new Qcow2Cluster(Qcow2ClusterKind.Zero, 0, 0)).SetName("L2 bit 0 alone → zero cluster"),
        new TestCaseData((1UL << 63) | 0x50000 | 1, 16, new Qcow2Cluster(Qcow2ClusterKind.Zero, 0x50000, 0)).SetName("L2 bit 0 with a preallocated offset → still zero"),
        new TestCaseData((1UL << 63) | 0x50000, 16, new Qcow2Cluster(Qcow2ClusterKind.Normal, 0x50000, 0)).SetName("L2 offset with copied flag → normal cluster there"),
        // 64 KiB clusters: x = 62 - 8 = 54; offset 0x12345 (sector offset 0x145), 2 additional sectors → 512*3 - 0x145.
        new TestCaseData((1UL << 62) | (2UL << 54) | 0x12345, 16, new Qcow2Cluster(Qcow2ClusterKind.Compressed, 0x12345, 3 * 512 - 0x145)).SetName("compressed descriptor → unaligned offset and length to the end of its sectors"),
    ];

    [TestCaseSource(nameof(L2Entries))]
    public void L2_entries_decode_to_kind_and_place(ulong entry, int clusterBits, Qcow2Cluster expected)
    {
        Assert.That(Qcow2Entry.TryReadL2(entry, clusterBits, out var cluster, out var error), Is.True, error);
        Assert.That(cluster, Is.EqualTo(expected));
    }

    [TestCase(0x50200UL, 16, "not cluster-aligned", TestName = "L2 offset inside a cluster → malformed")]
    [TestCase(0x50000UL | 2, 16, "reserved bits", TestName = "L2 reserved bit 1 → malformed")]
    [TestCase(0x50000UL | (1UL << 57), 16, "reserved bits", TestName = "L2 reserved bit 57 → malformed")]
    public void Bad_L2_entries_are_refused(ulong entry, int clusterBits, string expected)
    {
        Assert.That(Qcow2Entry.TryReadL2(entry, clusterBits, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }

    [TestCase(0UL, 0L, TestName = "L1 entry 0 → no L2 table (range unallocated)")]
    [TestCase((1UL << 63) | 0x30000, 0x30000L, TestName = "L1 entry with copied flag → L2 table offset")]
    public void L1_entries_decode_to_the_L2_offset(ulong entry, long expected)
    {
        Assert.That(Qcow2Entry.TryReadL1(entry, 16, out var offset, out var error), Is.True, error);
        Assert.That(offset, Is.EqualTo(expected));
    }

    [TestCase(0x30001UL, TestName = "L1 reserved bit 0 → malformed")]
    [TestCase(0x30200UL, TestName = "L1 offset inside a cluster → malformed")]
    public void Bad_L1_entries_are_refused(ulong entry) =>
        Assert.That(Qcow2Entry.TryReadL1(entry, 16, out _, out _), Is.False);
}
