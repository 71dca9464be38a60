using Bifrost.Protocols.Qcow2;

namespace Bifrost.Servers.Images;

/// <summary>What an image file is, by its magic bytes (the name and the operator's word are not trusted).</summary>
public enum ImageFileFormat { Raw, Gzip, Zstd, Qcow2 }

public static class ImageFormats
{
    /// <summary>Bytes <see cref="Detect"/> looks at.</summary>
    public const int MagicLength = 4;

    /// <summary>qcow2 <c>QFI\xfb</c>; gzip <c>1f 8b</c> (RFC 1952 §2.3.1); zstd frame <c>28 b5 2f fd</c> (RFC 8878 §3.1.1);
    /// anything else is a raw disk.</summary>
    public static ImageFileFormat Detect(ReadOnlySpan<byte> head)
    {
        if (Qcow2Header.HasMagic(head)) return ImageFileFormat.Qcow2;
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) return ImageFileFormat.Gzip;
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) return ImageFileFormat.Zstd;
        return ImageFileFormat.Raw;
    }
}
