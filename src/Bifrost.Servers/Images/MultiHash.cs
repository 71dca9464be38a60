using System.Security.Cryptography;

namespace Bifrost.Servers.Images;

/// <summary>Several digests of one byte stream in one pass; also a write-only <see cref="Stream"/> sink, so a raw
/// view can be hashed by copying it here.</summary>
internal sealed class MultiHash : Stream
{
    private readonly (string Name, IncrementalHash Hash)[] _hashes;

    public MultiHash(IEnumerable<string> algorithms)
    {
        _hashes = algorithms.Distinct(StringComparer.Ordinal).Select(a => (a, IncrementalHash.CreateHash(a switch
        {
            "md5" => HashAlgorithmName.MD5,
            "sha256" => HashAlgorithmName.SHA256,
            "sha512" => HashAlgorithmName.SHA512,
            _ => throw new ArgumentException($"unsupported hash algorithm {a}", nameof(algorithms)),
        }))).ToArray();
    }

    public long Bytes { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        foreach (var (_, hash) in _hashes) hash.AppendData(data);
        Bytes += data.Length;
    }

    public Dictionary<string, string> Finish() =>
        _hashes.ToDictionary(h => h.Name, h => Convert.ToHexStringLower(h.Hash.GetHashAndReset()), StringComparer.Ordinal);

    /// <summary>Hashes a whole file with 1 MiB reads.</summary>
    public static async Task<Dictionary<string, string>> FileAsync(string path, IEnumerable<string> algorithms, CancellationToken ct)
    {
        using var hash = new MultiHash(algorithms);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            int n;
            while ((n = await file.ReadAsync(buffer, ct)) > 0) hash.Append(buffer.AsSpan(0, n));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return hash.Finish();
    }

    public override void Write(byte[] buffer, int offset, int count) => Append(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer) => Append(buffer);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Bytes;
    public override long Position { get => Bytes; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var (_, hash) in _hashes) hash.Dispose();
        base.Dispose(disposing);
    }
}
