using System.Security.Cryptography;

namespace Bifrost.Protocols.Ipmi.Crypto;

/// <summary>
/// AES-CBC-128 payload confidentiality (IPMI v2.0 §13.29): the payload becomes IV (16) | AES-CBC(data | pad | pad
/// length), the key is the first 16 bytes of K2, the pad bytes are 1, 2, 3, … and bring data + pad + 1 to a multiple
/// of 16. The IV is the caller's so tests are deterministic; in a session it must be random per message.
/// </summary>
public static class AesCbc128
{
    public const int BlockSize = 16;

    /// <summary>The encrypted payload length for <paramref name="plainLength"/> bytes of data.</summary>
    public static int GetEncryptedLength(int plainLength) =>
        BlockSize /* IV */ + ((plainLength + 1 /* pad length */ + BlockSize - 1) / BlockSize * BlockSize);

    public static int Encrypt(ReadOnlySpan<byte> k2, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plain, Span<byte> dst)
    {
        var total = GetEncryptedLength(plain.Length);
        var body = total - BlockSize;
        var padLength = body - plain.Length - 1;
        var block = new byte[body];
        plain.CopyTo(block);
        for (var i = 0; i < padLength; i++) block[plain.Length + i] = (byte)(i + 1);
        block[body - 1] = (byte)padLength;
        iv.CopyTo(dst);
        using var aes = Aes.Create();
        aes.Key = k2[..16].ToArray();
        aes.EncryptCbc(block, iv, dst.Slice(BlockSize, body), PaddingMode.None);
        return total;
    }

    /// <summary>Decrypts a confidentiality payload; false (with why) for a bad length or pad.</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> k2, ReadOnlySpan<byte> payload, out byte[] plain, out string? error)
    {
        plain = [];
        if (payload.Length < 2 * BlockSize || payload.Length % BlockSize != 0)
        {
            error = $"encrypted payload of {payload.Length} bytes is not an IV and whole AES blocks";
            return false;
        }
        using var aes = Aes.Create();
        aes.Key = k2[..16].ToArray();
        var body = aes.DecryptCbc(payload[BlockSize..], payload[..BlockSize], PaddingMode.None);
        var padLength = body[^1];
        if (padLength >= BlockSize || padLength + 1 > body.Length)
        {
            error = $"confidentiality pad length {padLength} is out of range";
            return false;
        }
        var dataLength = body.Length - 1 - padLength;
        for (var i = 0; i < padLength; i++)
        {
            if (body[dataLength + i] != i + 1)
            {
                error = "confidentiality pad bytes are not 1, 2, 3, …";
                return false;
            }
        }
        plain = body[..dataLength];
        error = null;
        return true;
    }
}
