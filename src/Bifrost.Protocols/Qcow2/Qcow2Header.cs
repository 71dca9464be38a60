using System.Buffers.Binary;

namespace Bifrost.Protocols.Qcow2;

/// <summary>
/// The qcow2 image header, versions 2 and 3 (QEMU docs/interop/qcow2.txt, "Header"). All fields are big-endian.
/// <see cref="TryRead"/> answers "malformed" for bytes that are not a readable qcow2 header and "unsupported" (with
/// <see cref="Unsupported"/> set) for a valid header that asks for something Bifrost does not read: a backing file,
/// encryption, an external data file, extended L2 entries, zstd-compressed clusters or an unknown incompatible feature.
/// Bifrost only reads qcow2 to serve its raw view, so the refcount table and snapshots are never looked at.
/// </summary>
public sealed record Qcow2Header
{
    /// <summary>"QFI\xfb".</summary>
    public const uint Magic = 0x514649fb;

    /// <summary>Bytes of a version 2 header; a version 3 header is at least 104 (<c>header_length</c> says).</summary>
    public const int V2Length = 72;
    public const int V3MinLength = 104;

    /// <summary>QEMU accepts 512 B .. 2 MiB clusters (qcow2.h MIN/MAX_CLUSTER_BITS).</summary>
    public const int MinClusterBits = 9;
    public const int MaxClusterBits = 21;

    /// <summary>QEMU's limit on the L1 table (qcow2.h QCOW_MAX_L1_SIZE, 32 MiB): also ours, so a forged header
    /// cannot make us allocate gigabytes.</summary>
    public const long MaxL1Bytes = 32L * 1024 * 1024;

    // Incompatible feature bits (header offset 72, v3).
    public const ulong IncompatDirty = 1UL << 0;
    public const ulong IncompatCorrupt = 1UL << 1;
    public const ulong IncompatExternalData = 1UL << 2;
    public const ulong IncompatCompressionType = 1UL << 3;
    public const ulong IncompatExtendedL2 = 1UL << 4;

    public required int Version { get; init; }
    public required ulong BackingFileOffset { get; init; }
    public required uint BackingFileSize { get; init; }
    public required int ClusterBits { get; init; }
    /// <summary>Virtual disk size in bytes: the length of the raw view.</summary>
    public required long Size { get; init; }
    /// <summary>0 none, 1 AES-CBC (legacy), 2 LUKS.</summary>
    public required uint CryptMethod { get; init; }
    /// <summary>Entries in the L1 table.</summary>
    public required int L1Size { get; init; }
    public required long L1TableOffset { get; init; }
    public required ulong IncompatibleFeatures { get; init; }
    /// <summary>0 zlib (raw deflate), 1 zstd; only present when the compression-type feature bit is set.</summary>
    public required byte CompressionType { get; init; }
    public required int HeaderLength { get; init; }

    /// <summary>Why Bifrost cannot serve this image, or null when it can.</summary>
    public string? Unsupported { get; init; }

    public int ClusterSize => 1 << ClusterBits;
    /// <summary>Entries per L2 table: one cluster of 8-byte entries (16 with extended L2, which we refuse).</summary>
    public int L2Entries => ClusterSize / 8;
    /// <summary>Virtual bytes one L1 entry (one L2 table) covers.</summary>
    public long BytesPerL2 => (long)L2Entries * ClusterSize;

    /// <summary>True when <paramref name="src"/> starts with the qcow2 magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> src) =>
        src.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(src) == Magic;

    /// <param name="src">The image's first bytes: at least the header (112 bytes is always enough).</param>
    /// <param name="header">The header; check <see cref="Unsupported"/> before reading clusters.</param>
    /// <param name="error">Why the bytes are not a usable qcow2 header (malformed), when false.</param>
    public static bool TryRead(ReadOnlySpan<byte> src, out Qcow2Header header, out string? error)
    {
        header = null!;
        if (src.Length < V2Length)
        {
            error = $"qcow2 header truncated: {src.Length} bytes, need at least {V2Length}";
            return false;
        }
        if (!HasMagic(src))
        {
            error = "not a qcow2 image (no QFI\\xfb magic)";
            return false;
        }
        var version = BinaryPrimitives.ReadUInt32BigEndian(src[4..]);
        if (version is not (2 or 3))
        {
            error = $"qcow2 version {version} is not supported (2 and 3 are)";
            return false;
        }
        var backingOffset = BinaryPrimitives.ReadUInt64BigEndian(src[8..]);
        var backingSize = BinaryPrimitives.ReadUInt32BigEndian(src[16..]);
        var clusterBits = BinaryPrimitives.ReadUInt32BigEndian(src[20..]);
        var size = BinaryPrimitives.ReadUInt64BigEndian(src[24..]);
        var crypt = BinaryPrimitives.ReadUInt32BigEndian(src[32..]);
        var l1Size = BinaryPrimitives.ReadUInt32BigEndian(src[36..]);
        var l1Offset = BinaryPrimitives.ReadUInt64BigEndian(src[40..]);

        if (clusterBits is < MinClusterBits or > MaxClusterBits)
        {
            error = $"qcow2 cluster_bits {clusterBits} out of range {MinClusterBits}..{MaxClusterBits}";
            return false;
        }
        if (size > long.MaxValue / 2)
        {
            error = $"qcow2 virtual size {size} is too large";
            return false;
        }
        if ((ulong)l1Size * 8 > MaxL1Bytes)
        {
            error = $"qcow2 L1 table of {l1Size} entries exceeds {MaxL1Bytes / (1024 * 1024)} MiB";
            return false;
        }
        var clusterSize = 1UL << (int)clusterBits;
        var bytesPerL2 = clusterSize / 8 * clusterSize;
        var l1Needed = (size + bytesPerL2 - 1) / bytesPerL2;
        if (l1Size < l1Needed)
        {
            error = $"qcow2 L1 table of {l1Size} entries cannot map a virtual size of {size} bytes (needs {l1Needed})";
            return false;
        }
        if (l1Size > 0 && (l1Offset == 0 || l1Offset % clusterSize != 0 || l1Offset > long.MaxValue / 2))
        {
            error = $"qcow2 L1 table offset {l1Offset} is not a cluster-aligned file offset";
            return false;
        }

        ulong incompatible = 0;
        byte compressionType = 0;
        var headerLength = V2Length;
        if (version == 3)
        {
            if (src.Length < V3MinLength)
            {
                error = $"qcow2 v3 header truncated: {src.Length} bytes, need at least {V3MinLength}";
                return false;
            }
            incompatible = BinaryPrimitives.ReadUInt64BigEndian(src[72..]);
            var refcountOrder = BinaryPrimitives.ReadUInt32BigEndian(src[96..]);
            var length = BinaryPrimitives.ReadUInt32BigEndian(src[100..]);
            if (refcountOrder > 6)
            {
                error = $"qcow2 refcount_order {refcountOrder} out of range 0..6";
                return false;
            }
            if (length < V3MinLength || length > clusterSize)
            {
                error = $"qcow2 header_length {length} out of range {V3MinLength}..{clusterSize}";
                return false;
            }
            headerLength = (int)length;
            if (headerLength > 104)
            {
                if (src.Length < 105)
                {
                    error = "qcow2 header truncated before compression_type";
                    return false;
                }
                compressionType = src[104];
            }
        }

        header = new Qcow2Header
        {
            Version = (int)version,
            BackingFileOffset = backingOffset,
            BackingFileSize = backingSize,
            ClusterBits = (int)clusterBits,
            Size = (long)size,
            CryptMethod = crypt,
            L1Size = (int)l1Size,
            L1TableOffset = (long)l1Offset,
            IncompatibleFeatures = incompatible,
            CompressionType = compressionType,
            HeaderLength = headerLength,
        };
        header = header with { Unsupported = FindUnsupported(header, src) };
        error = null;
        return true;
    }

    private static string? FindUnsupported(Qcow2Header h, ReadOnlySpan<byte> src)
    {
        if (h.BackingFileOffset != 0)
        {
            var name = BackingFileName(h, src);
            return $"qcow2 image has a backing file{(name is null ? "" : $" '{name}'")}: Bifrost serves self-contained images only (flatten it with qemu-img convert -O qcow2)";
        }
        if (h.CryptMethod != 0)
            return $"qcow2 image is encrypted ({(h.CryptMethod == 1 ? "AES" : h.CryptMethod == 2 ? "LUKS" : $"method {h.CryptMethod}")}): Bifrost cannot serve encrypted images";
        if ((h.IncompatibleFeatures & IncompatExternalData) != 0)
            return "qcow2 image keeps its data in an external data file: not supported";
        if ((h.IncompatibleFeatures & IncompatExtendedL2) != 0)
            return "qcow2 image uses extended L2 entries (subclusters): not supported";
        if ((h.IncompatibleFeatures & IncompatCorrupt) != 0)
            return "qcow2 image is marked corrupt: repair it with qemu-img check -r all";
        if ((h.IncompatibleFeatures & IncompatCompressionType) != 0 && h.CompressionType != 0)
            return $"qcow2 image uses compression type {(h.CompressionType == 1 ? "zstd" : h.CompressionType.ToString(System.Globalization.CultureInfo.InvariantCulture))}: only zlib is supported";
        // Dirty (bit 0) only says the refcounts may be stale; the L1/L2 mapping we read is still right.
        var unknown = h.IncompatibleFeatures & ~(IncompatDirty | IncompatCorrupt | IncompatExternalData | IncompatCompressionType | IncompatExtendedL2);
        if (unknown != 0) return $"qcow2 image uses unknown incompatible features 0x{unknown:x}";
        return null;
    }

    /// <summary>The backing file name when it lies within <paramref name="src"/> (it normally sits in cluster 0).</summary>
    private static string? BackingFileName(Qcow2Header h, ReadOnlySpan<byte> src)
    {
        if (h.BackingFileSize is 0 or > 1023 || h.BackingFileOffset > (ulong)src.Length
            || h.BackingFileOffset + h.BackingFileSize > (ulong)src.Length) return null;
        var bytes = src.Slice((int)h.BackingFileOffset, (int)h.BackingFileSize);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or >= 0x7f) return null; // not printable: don't put it in an error message
        }
        return System.Text.Encoding.ASCII.GetString(bytes);
    }
}
