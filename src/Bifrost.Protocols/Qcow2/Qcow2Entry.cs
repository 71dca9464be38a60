namespace Bifrost.Protocols.Qcow2;

/// <summary>What one L2 entry says about one guest cluster.</summary>
public enum Qcow2ClusterKind
{
    /// <summary>Not allocated: reads as zeros (Bifrost refuses backing files, so nothing shows through).</summary>
    Unallocated,
    /// <summary>Bit 0 set (v3 "all zeros" flag), whether or not a host cluster is preallocated.</summary>
    Zero,
    /// <summary>A host cluster holds the data uncompressed.</summary>
    Normal,
    /// <summary>Raw-deflate data somewhere in the file (not cluster-aligned).</summary>
    Compressed,
}

/// <summary>A decoded L2 entry: the kind, and where the data lies in the file.</summary>
public readonly record struct Qcow2Cluster(Qcow2ClusterKind Kind, long HostOffset, int CompressedLength);

/// <summary>
/// L1 and L2 table entries (QEMU docs/interop/qcow2.txt, "Cluster mapping"). Both tables are arrays of big-endian
/// 64-bit entries; these decode one entry each and say what is malformed instead of throwing.
/// </summary>
public static class Qcow2Entry
{
    private const ulong CopiedFlag = 1UL << 63;
    private const ulong CompressedFlag = 1UL << 62;
    private const ulong ZeroFlag = 1UL;
    /// <summary>Bits 9-55: a cluster-aligned host offset (L1 → L2 table, standard L2 → data cluster).</summary>
    private const ulong OffsetMask = 0x00ff_ffff_ffff_fe00UL;

    /// <summary>L1 entry → offset of its L2 table, 0 when the whole range is unallocated.</summary>
    public static bool TryReadL1(ulong entry, int clusterBits, out long l2Offset, out string? error)
    {
        // Bits 1-8 and 56-62 are reserved and must be zero; bit 63 is "refcount is one", irrelevant to a reader.
        var reserved = entry & ~(OffsetMask | CopiedFlag);
        l2Offset = (long)(entry & OffsetMask);
        if (reserved != 0)
        {
            error = $"L1 entry 0x{entry:x16} has reserved bits set";
            return false;
        }
        if (l2Offset % (1L << clusterBits) != 0)
        {
            error = $"L1 entry points at {l2Offset}, which is not cluster-aligned";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>L2 entry (standard, 8 bytes) → cluster kind and location.</summary>
    public static bool TryReadL2(ulong entry, int clusterBits, out Qcow2Cluster cluster, out string? error)
    {
        cluster = default;
        if ((entry & CompressedFlag) != 0)
        {
            // "Compressed Clusters Descriptor": x = 62 - (cluster_bits - 8); bits 0..x-1 host offset (any byte),
            // bits x..61 the number of additional 512-byte sectors after the one holding the offset.
            var x = 62 - (clusterBits - 8);
            var offset = entry & ((1UL << x) - 1);
            var sectors = (entry & ~(CopiedFlag | CompressedFlag)) >> x;
            if (offset > OffsetMask)
            {
                error = $"compressed L2 entry 0x{entry:x16} has an offset beyond 2^56";
                return false;
            }
            // Data runs from the offset to the end of its sector, plus the additional sectors.
            var length = (long)(sectors * 512) + 512 - (long)(offset & 511);
            cluster = new Qcow2Cluster(Qcow2ClusterKind.Compressed, (long)offset, (int)Math.Min(length, int.MaxValue));
            error = null;
            return true;
        }
        var hostOffset = (long)(entry & OffsetMask);
        if ((entry & ~(OffsetMask | CopiedFlag | ZeroFlag)) != 0)
        {
            error = $"L2 entry 0x{entry:x16} has reserved bits set";
            return false;
        }
        if (hostOffset % (1L << clusterBits) != 0)
        {
            error = $"L2 entry points at {hostOffset}, which is not cluster-aligned";
            return false;
        }
        var kind = (entry & ZeroFlag) != 0 ? Qcow2ClusterKind.Zero
            : hostOffset == 0 ? Qcow2ClusterKind.Unallocated
            : Qcow2ClusterKind.Normal;
        cluster = new Qcow2Cluster(kind, hostOffset, 0);
        error = null;
        return true;
    }
}
