namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>Boot device selector of boot flags data 2 bits 5:2 (IPMI v2.0 §28.13, table 28-14), wire values (unshifted).</summary>
public enum BootDeviceSelector : byte
{
    NoOverride = 0x0,
    Pxe = 0x1,
    Disk = 0x2,
    SafeMode = 0x3,
    Diagnostic = 0x4,
    CdDvd = 0x5,
    BiosSetup = 0x6,
    RemoteFloppy = 0x7,
    RemoteCdDvd = 0x8,
    RemoteMedia = 0x9,
    RemoteDisk = 0xB,
    Floppy = 0xF,
}

/// <summary>
/// Boot option parameter 5, boot flags (IPMI v2.0 §28.13, table 28-14), 5 bytes. Data 1: bit 7 valid, bit 6
/// persistent (all future boots; clear = next boot only), bit 5 boot type EFI (clear = legacy PC). Data 2: bits 5:2
/// device selector (other bits: CMOS clear, keyboard lock, screen blank, reset lock — all 0). Data 3-5: 0 (console
/// redirection, BIOS verbosity, mux override, instance: defaults).
/// </summary>
public sealed record BootFlags(BootDeviceSelector Device, bool Persistent, bool Efi, bool Valid = true)
{
    public const byte Parameter = 5;
    public const int Length = 5;

    public int Write(Span<byte> dst)
    {
        dst[..Length].Clear();
        dst[0] = (byte)((Valid ? 0x80 : 0) | (Persistent ? 0x40 : 0) | (Efi ? 0x20 : 0));
        dst[1] = (byte)(((byte)Device & 0x0F) << 2);
        return Length;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> data, out BootFlags flags, out string? error)
    {
        flags = null!;
        if (data.Length < Length)
        {
            error = $"boot flags of {data.Length} bytes are shorter than 5";
            return false;
        }
        flags = new BootFlags((BootDeviceSelector)((data[1] >> 2) & 0x0F), (data[0] & 0x40) != 0, (data[0] & 0x20) != 0,
            (data[0] & 0x80) != 0);
        error = null;
        return true;
    }
}
