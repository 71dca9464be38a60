using System.Security.Cryptography;

// HMAC-SHA1 is what cipher suite 3 (the one every BMC speaks) mandates; the analyzer cannot know that.
#pragma warning disable CA5350

namespace Bifrost.Protocols.Ipmi.Crypto;

/// <summary>
/// The RMCP+ crypto primitives of IPMI v2.0 §13.28-13.29, pure functions over byte spans: the keyed hash of each
/// authentication algorithm, integrity truncation, and key derivation.
/// </summary>
public static class IpmiCrypto
{
    /// <summary>User keys (Kuid, Kg) are 20 bytes, zero padded (§13.31: passwords are up to 20 bytes), for every
    /// algorithm including HMAC-SHA256.</summary>
    public const int UserKeyLength = 20;

    /// <summary>Kuid: the password as 20 zero-padded bytes. Longer passwords are a caller error.</summary>
    public static byte[] UserKey(ReadOnlySpan<byte> password)
    {
        if (password.Length > UserKeyLength) throw new ArgumentException("IPMI passwords are at most 20 bytes", nameof(password));
        var key = new byte[UserKeyLength];
        password.CopyTo(key);
        return key;
    }

    /// <summary>Length of the authentication algorithm's HMAC (RAKP 2/3 key exchange codes, SIK): 0, 20 or 32.</summary>
    public static int HmacLength(AuthenticationAlgorithm algorithm) => algorithm switch
    {
        AuthenticationAlgorithm.None => 0,
        AuthenticationAlgorithm.HmacSha1 => 20,
        AuthenticationAlgorithm.HmacSha256 => 32,
        _ => throw new NotSupportedException($"authentication algorithm {algorithm} is not implemented"),
    };

    /// <summary>The RAKP 4 integrity check value length: the integrity algorithm's truncated length (§13.31: for
    /// RAKP-HMAC-SHA1 12 bytes, RAKP-HMAC-SHA256 16 bytes; none 0).</summary>
    public static int Rakp4IcvLength(AuthenticationAlgorithm algorithm) => algorithm switch
    {
        AuthenticationAlgorithm.None => 0,
        AuthenticationAlgorithm.HmacSha1 => 12,
        AuthenticationAlgorithm.HmacSha256 => 16,
        _ => throw new NotSupportedException($"authentication algorithm {algorithm} is not implemented"),
    };

    /// <summary>The keyed hash of an authentication algorithm (empty for none).</summary>
    public static byte[] Hmac(AuthenticationAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => algorithm switch
    {
        AuthenticationAlgorithm.None => [],
        AuthenticationAlgorithm.HmacSha1 => HMACSHA1.HashData(key, data),
        AuthenticationAlgorithm.HmacSha256 => HMACSHA256.HashData(key, data),
        _ => throw new NotSupportedException($"authentication algorithm {algorithm} is not implemented"),
    };

    /// <summary>SIK = HMAC_Kg(Rm | Rc | ROLEm | ULENGTHm | UNAMEm) (§13.31); Kg is Kuid when the BMC has no key.</summary>
    public static byte[] SessionIntegrityKey(
        AuthenticationAlgorithm algorithm, ReadOnlySpan<byte> kg, ReadOnlySpan<byte> consoleRandom,
        ReadOnlySpan<byte> bmcRandom, byte role, ReadOnlySpan<byte> username)
    {
        var data = new byte[16 /* Rm */ + 16 /* Rc */ + 1 /* ROLEm */ + 1 /* ULENGTHm */ + username.Length];
        consoleRandom.CopyTo(data);
        bmcRandom.CopyTo(data.AsSpan(16));
        data[32] = role;
        data[33] = (byte)username.Length;
        username.CopyTo(data.AsSpan(34));
        return Hmac(algorithm, kg, data);
    }

    /// <summary>K1, K2, ... = HMAC_SIK(const_n), const_n being 20 bytes of n (§13.32). The constant is 20 bytes for
    /// HMAC-SHA256 too (a quirk that trips implementations which use the hash length).</summary>
    public static byte[] AdditionalKey(AuthenticationAlgorithm algorithm, ReadOnlySpan<byte> sik, byte n)
    {
        Span<byte> constant = stackalloc byte[20];
        constant.Fill(n);
        return Hmac(algorithm, sik, constant);
    }

    /// <summary>Length of the session trailer's AuthCode for an integrity algorithm.</summary>
    public static int IntegrityLength(IntegrityAlgorithm algorithm) => algorithm switch
    {
        IntegrityAlgorithm.None => 0,
        IntegrityAlgorithm.HmacSha1_96 => 12,
        IntegrityAlgorithm.HmacSha256_128 => 16,
        _ => throw new NotSupportedException($"integrity algorithm {algorithm} is not implemented"),
    };

    /// <summary>The session trailer's AuthCode: HMAC with K1 over AuthType … Next Header, truncated (§13.28.4).</summary>
    public static void Integrity(IntegrityAlgorithm algorithm, ReadOnlySpan<byte> k1, ReadOnlySpan<byte> data, Span<byte> dst)
    {
        Span<byte> full = stackalloc byte[32];
        var written = algorithm switch
        {
            IntegrityAlgorithm.None => 0,
            IntegrityAlgorithm.HmacSha1_96 => HMACSHA1.HashData(k1, data, full),
            IntegrityAlgorithm.HmacSha256_128 => HMACSHA256.HashData(k1, data, full),
            _ => throw new NotSupportedException($"integrity algorithm {algorithm} is not implemented"),
        };
        _ = written;
        full[..IntegrityLength(algorithm)].CopyTo(dst);
    }
}
