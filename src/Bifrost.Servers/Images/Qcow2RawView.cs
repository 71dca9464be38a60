using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Bifrost.Domain.Images;
using Bifrost.Protocols.Qcow2;
using Microsoft.Win32.SafeHandles;

namespace Bifrost.Servers.Images;

/// <summary>
/// A qcow2 file read as the raw disk it describes (what <c>qemu-img convert -O raw</c> writes), streamed in order
/// without holding the image in memory: one L2 table and a 1 MiB staging buffer at a time. Unallocated and zero
/// clusters become zeros, compressed clusters are inflated (raw deflate). Header and entry decoding is the pure
/// <see cref="Qcow2Header"/>/<see cref="Qcow2Entry"/>; this class only reads the file.
/// </summary>
public sealed class Qcow2RawView : IDisposable
{
    private const int StagingSize = 1024 * 1024;
    private readonly SafeFileHandle _file;
    private readonly long _fileLength;
    private readonly string _name;

    private Qcow2RawView(SafeFileHandle file, Qcow2Header header, string name)
    {
        _file = file;
        _fileLength = RandomAccess.GetLength(file);
        Header = header;
        _name = name;
    }

    public Qcow2Header Header { get; }

    /// <summary>Bytes of the raw view: the virtual disk size.</summary>
    public long Length => Header.Size;

    /// <summary>Opens <paramref name="path"/>; throws <see cref="ImageException"/> naming <paramref name="name"/> when
    /// the file is not a qcow2 image Bifrost can read (malformed, backing file, encryption, …).</summary>
    public static Qcow2RawView Open(string path, string name)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        try
        {
            // The header plus whatever follows it in cluster 0 (extensions, the backing file name): at most 2 MiB.
            var length = (int)Math.Min(RandomAccess.GetLength(file), 1 << Qcow2Header.MaxClusterBits);
            var first = new byte[length];
            length = RandomAccess.Read(file, first, 0);
            if (!Qcow2Header.TryRead(first.AsSpan(0, length), out var header, out var error))
                throw new ImageException($"Image {name}: {error}");
            if (header.Unsupported is { } why) throw new ImageException($"Image {name}: {why}");
            return new Qcow2RawView(file, header, name);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes the whole raw view to <paramref name="destination"/>. A malformed table found on the way throws
    /// <see cref="ImageException"/> after some bytes were written (the caller aborts the response).</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken ct)
    {
        var h = Header;
        var clusterSize = h.ClusterSize;
        var staging = ArrayPool<byte>.Shared.Rent(Math.Max(StagingSize, clusterSize));
        var l2 = ArrayPool<byte>.Shared.Rent(clusterSize);
        // Compressed clusters are inflated in batches, in parallel, when the staging buffer is flushed: inflating
        // is the one CPU-bound step (qemu-img also spreads it over threads).
        var pending = new List<PendingInflate>();
        var l1 = ReadL1();
        var fill = 0;
        // A run of data clusters that follow each other in the file too: read with one call when flushed.
        long runHost = 0;
        var runLength = 0;
        var runAt = 0;
        try
        {
            var l1Needed = (int)((h.Size + h.BytesPerL2 - 1) / h.BytesPerL2);
            for (var i = 0; i < l1Needed; i++)
            {
                var start = i * h.BytesPerL2;
                var end = Math.Min(h.Size, start + h.BytesPerL2);
                if (!Qcow2Entry.TryReadL1(l1[i], h.ClusterBits, out var l2Offset, out var error))
                    throw Malformed($"L1[{i}]: {error}");
                if (l2Offset == 0)
                {
                    await ZerosAsync(end - start);
                    continue;
                }
                ReadExactly(l2.AsSpan(0, clusterSize), l2Offset, $"L2 table at {l2Offset}");
                for (var j = 0; start + (long)j * clusterSize < end; j++)
                {
                    var length = (int)Math.Min(clusterSize, end - (start + (long)j * clusterSize));
                    var entry = BinaryPrimitives.ReadUInt64BigEndian(l2.AsSpan(j * 8));
                    if (!Qcow2Entry.TryReadL2(entry, h.ClusterBits, out var cluster, out error))
                        throw Malformed($"L2[{i}][{j}]: {error}");
                    switch (cluster.Kind)
                    {
                        case Qcow2ClusterKind.Normal:
                            await DataAsync(cluster.HostOffset, length);
                            break;
                        case Qcow2ClusterKind.Compressed:
                            await RoomAsync(length);
                            ReadRun();
                            pending.Add(new PendingInflate(cluster, fill, length, i, j));
                            fill += length;
                            break;
                        default:
                            await ZerosAsync(length);
                            break;
                    }
                }
            }
            await FlushAsync();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
            ArrayPool<byte>.Shared.Return(l2);
        }

        async Task DataAsync(long host, int length)
        {
            if (runLength > 0 && runHost + runLength == host && runAt + runLength == fill && staging.Length - fill >= length)
            {
                runLength += length;
                fill += length;
                if (fill == staging.Length) await FlushAsync();
                return;
            }
            await RoomAsync(length);
            ReadRun();
            (runHost, runLength, runAt) = (host, length, fill);
            fill += length;
        }

        async Task ZerosAsync(long count)
        {
            while (count > 0)
            {
                if (fill == staging.Length) await FlushAsync();
                var n = (int)Math.Min(count, staging.Length - fill);
                ReadRun();
                staging.AsSpan(fill, n).Clear();
                fill += n;
                count -= n;
            }
        }

        async Task RoomAsync(int needed)
        {
            if (staging.Length - fill < needed) await FlushAsync();
        }

        void ReadRun()
        {
            if (runLength == 0) return;
            // Past the end of the file reads as zeros, as QEMU's file driver does (a truncated preallocated image).
            var got = _fileLength <= runHost ? 0 : RandomAccess.Read(_file, staging.AsSpan(runAt, (int)Math.Min(runLength, _fileLength - runHost)), runHost);
            var total = got;
            while (got > 0 && total < runLength && runHost + total < _fileLength)
            {
                got = RandomAccess.Read(_file, staging.AsSpan(runAt + total, (int)Math.Min(runLength - total, _fileLength - runHost - total)), runHost + total);
                total += got;
            }
            staging.AsSpan(runAt + total, runLength - total).Clear();
            runLength = 0;
        }

        async Task FlushAsync()
        {
            ReadRun();
            InflatePending(pending, staging, ct);
            if (fill == 0) return;
            await destination.WriteAsync(staging.AsMemory(0, fill), ct);
            fill = 0;
        }
    }

    private readonly record struct PendingInflate(Qcow2Cluster Cluster, int At, int Length, int I, int J);

    private void InflatePending(List<PendingInflate> pending, byte[] staging, CancellationToken ct)
    {
        if (pending.Count == 0) return;
        try
        {
            Parallel.ForEach(pending, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
                p => Inflate(p, staging));
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is ImageException) is { } first)
        {
            throw first;
        }
        finally
        {
            pending.Clear();
        }
    }

    /// <summary>Inflates one cluster into its place in the staging buffer (only its first Length bytes when it is the
    /// image's last, partial cluster).</summary>
    private void Inflate(PendingInflate p, byte[] staging)
    {
        var clusterSize = Header.ClusterSize;
        var input = ArrayPool<byte>.Shared.Rent(2 * clusterSize + 512);
        var output = ArrayPool<byte>.Shared.Rent(clusterSize);
        try
        {
            var cluster = p.Cluster;
            var length = (int)Math.Min(Math.Min(cluster.CompressedLength, input.Length), Math.Max(0, _fileLength - cluster.HostOffset));
            var got = length == 0 ? 0 : RandomAccess.Read(_file, input.AsSpan(0, length), cluster.HostOffset);
            using var source = new MemoryStream(input, 0, got, writable: false);
            using var inflater = new DeflateStream(source, CompressionMode.Decompress);
            var total = 0;
            try
            {
                int n;
                while (total < clusterSize && (n = inflater.Read(output, total, clusterSize - total)) > 0) total += n;
            }
            catch (InvalidDataException e)
            {
                throw Malformed($"compressed cluster L2[{p.I}][{p.J}] at {cluster.HostOffset}: {e.Message}");
            }
            // QEMU requires a compressed cluster to inflate to exactly one full cluster.
            if (total != clusterSize)
                throw Malformed($"compressed cluster L2[{p.I}][{p.J}] at {cluster.HostOffset} inflates to {total} bytes, not {clusterSize}");
            output.AsSpan(0, p.Length).CopyTo(staging.AsSpan(p.At, p.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private ulong[] ReadL1()
    {
        var h = Header;
        var bytes = new byte[h.L1Size * 8];
        if (bytes.Length > 0) ReadExactly(bytes, h.L1TableOffset, "L1 table");
        var l1 = new ulong[h.L1Size];
        for (var i = 0; i < l1.Length; i++) l1[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i * 8));
        return l1;
    }

    private void ReadExactly(Span<byte> buffer, long offset, string what)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = offset + total >= _fileLength ? 0 : RandomAccess.Read(_file, buffer[total..], offset + total);
            if (n == 0) throw Malformed($"{what} lies beyond the end of the file ({_fileLength} bytes)");
            total += n;
        }
    }

    private ImageException Malformed(string what) => new($"Image {_name}: malformed qcow2: {what}");

    public void Dispose() => _file.Dispose();
}
