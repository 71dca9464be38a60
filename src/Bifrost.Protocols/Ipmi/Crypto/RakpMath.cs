using System.Buffers.Binary;

namespace Bifrost.Protocols.Ipmi.Crypto;

/// <summary>
/// The RAKP key-exchange formulas of IPMI v2.0 §13.31, pure: the RAKP 2 and RAKP 3 AuthCodes (keyed with Kuid) and
/// the RAKP 4 integrity check value (keyed with the SIK). Session IDs go in little-endian, as on the wire.
/// </summary>
public static class RakpMath
{
    /// <summary>RAKP 2: HMAC_Kuid(SIDm | SIDc | Rm | Rc | GUIDc | ROLEm | ULENGTHm | UNAMEm).</summary>
    public static byte[] Rakp2Code(
        AuthenticationAlgorithm algorithm, ReadOnlySpan<byte> kuid, uint consoleSessionId, uint bmcSessionId,
        ReadOnlySpan<byte> consoleRandom, ReadOnlySpan<byte> bmcRandom, ReadOnlySpan<byte> bmcGuid, byte role,
        ReadOnlySpan<byte> username)
    {
        var data = new byte[4 /* SIDm */ + 4 /* SIDc */ + 16 /* Rm */ + 16 /* Rc */ + 16 /* GUIDc */ + 1 /* ROLEm */ + 1 /* ULENGTHm */ + username.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(data, consoleSessionId);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), bmcSessionId);
        consoleRandom.CopyTo(data.AsSpan(8));
        bmcRandom.CopyTo(data.AsSpan(24));
        bmcGuid.CopyTo(data.AsSpan(40));
        data[56] = role;
        data[57] = (byte)username.Length;
        username.CopyTo(data.AsSpan(58));
        return IpmiCrypto.Hmac(algorithm, kuid, data);
    }

    /// <summary>RAKP 3: HMAC_Kuid(Rc | SIDm | ROLEm | ULENGTHm | UNAMEm).</summary>
    public static byte[] Rakp3Code(
        AuthenticationAlgorithm algorithm, ReadOnlySpan<byte> kuid, ReadOnlySpan<byte> bmcRandom, uint consoleSessionId,
        byte role, ReadOnlySpan<byte> username)
    {
        var data = new byte[16 /* Rc */ + 4 /* SIDm */ + 1 /* ROLEm */ + 1 /* ULENGTHm */ + username.Length];
        bmcRandom.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), consoleSessionId);
        data[20] = role;
        data[21] = (byte)username.Length;
        username.CopyTo(data.AsSpan(22));
        return IpmiCrypto.Hmac(algorithm, kuid, data);
    }

    /// <summary>RAKP 4: HMAC_SIK(Rm | SIDc | GUIDc), truncated to 12 (SHA1) or 16 (SHA256) bytes.</summary>
    public static byte[] Rakp4Icv(
        AuthenticationAlgorithm algorithm, ReadOnlySpan<byte> sik, ReadOnlySpan<byte> consoleRandom, uint bmcSessionId,
        ReadOnlySpan<byte> bmcGuid)
    {
        var data = new byte[16 /* Rm */ + 4 /* SIDc */ + 16 /* GUIDc */];
        consoleRandom.CopyTo(data);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), bmcSessionId);
        bmcGuid.CopyTo(data.AsSpan(20));
        return IpmiCrypto.Hmac(algorithm, sik, data)[..IpmiCrypto.Rakp4IcvLength(algorithm)];
    }
}
