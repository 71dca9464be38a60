namespace Bifrost.Protocols.Ipmi.Crypto;

/// <summary>RAKP authentication algorithms (IPMI v2.0 §13.28, table 13-17), wire values.</summary>
public enum AuthenticationAlgorithm : byte
{
    None = 0x00,
    HmacSha1 = 0x01,
    HmacMd5 = 0x02,
    HmacSha256 = 0x03,
}

/// <summary>Session integrity algorithms (IPMI v2.0 §13.28.4, table 13-18), wire values.</summary>
public enum IntegrityAlgorithm : byte
{
    None = 0x00,
    HmacSha1_96 = 0x01,
    HmacMd5_128 = 0x02,
    Md5_128 = 0x03,
    HmacSha256_128 = 0x04,
}

/// <summary>Session confidentiality algorithms (IPMI v2.0 §13.28.5, table 13-19), wire values.</summary>
public enum ConfidentialityAlgorithm : byte
{
    None = 0x00,
    AesCbc128 = 0x01,
    XRc4_128 = 0x02,
    XRc4_40 = 0x03,
}

/// <summary>
/// A cipher suite (IPMI v2.0 §22.15.2, table 22-20): which algorithms a session uses for RAKP authentication,
/// message integrity and confidentiality.
/// </summary>
public sealed record CipherSuite(
    int Id, AuthenticationAlgorithm Authentication, IntegrityAlgorithm Integrity, ConfidentialityAlgorithm Confidentiality)
{
    /// <summary>Authentication, integrity and confidentiality all present: the only suites Bifrost uses by default.</summary>
    public bool IsSecure =>
        Authentication != AuthenticationAlgorithm.None && Integrity != IntegrityAlgorithm.None
        && Confidentiality != ConfidentialityAlgorithm.None;

    /// <summary>Whether Bifrost implements all three algorithms (no MD5, no xRC4).</summary>
    public bool IsImplemented =>
        Authentication is AuthenticationAlgorithm.None or AuthenticationAlgorithm.HmacSha1 or AuthenticationAlgorithm.HmacSha256
        && Integrity is IntegrityAlgorithm.None or IntegrityAlgorithm.HmacSha1_96 or IntegrityAlgorithm.HmacSha256_128
        && Confidentiality is ConfidentialityAlgorithm.None or ConfidentialityAlgorithm.AesCbc128;

    /// <summary>Why this suite is not secure, in words ("no confidentiality"), or null when it is.</summary>
    public string? Weakness()
    {
        var missing = new List<string>(3);
        if (Authentication == AuthenticationAlgorithm.None) missing.Add("authentication");
        if (Integrity == IntegrityAlgorithm.None) missing.Add("integrity");
        if (Confidentiality == ConfidentialityAlgorithm.None) missing.Add("confidentiality");
        return missing.Count == 0 ? null : "no " + string.Join(", no ", missing);
    }

    /// <summary>The standard suites 0-19 of table 22-20, by ID; null for an ID the table does not define.</summary>
    public static CipherSuite? FromId(int id) => id switch
    {
        0 => new(0, AuthenticationAlgorithm.None, IntegrityAlgorithm.None, ConfidentialityAlgorithm.None),
        1 => new(1, AuthenticationAlgorithm.HmacSha1, IntegrityAlgorithm.None, ConfidentialityAlgorithm.None),
        2 => new(2, AuthenticationAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.None),
        3 => new(3, AuthenticationAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.AesCbc128),
        4 => new(4, AuthenticationAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.XRc4_128),
        5 => new(5, AuthenticationAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.XRc4_40),
        6 => new(6, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.None, ConfidentialityAlgorithm.None),
        7 => new(7, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.HmacMd5_128, ConfidentialityAlgorithm.None),
        8 => new(8, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.HmacMd5_128, ConfidentialityAlgorithm.AesCbc128),
        9 => new(9, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.HmacMd5_128, ConfidentialityAlgorithm.XRc4_128),
        10 => new(10, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.HmacMd5_128, ConfidentialityAlgorithm.XRc4_40),
        11 => new(11, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.Md5_128, ConfidentialityAlgorithm.None),
        12 => new(12, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.Md5_128, ConfidentialityAlgorithm.AesCbc128),
        13 => new(13, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.Md5_128, ConfidentialityAlgorithm.XRc4_128),
        14 => new(14, AuthenticationAlgorithm.HmacMd5, IntegrityAlgorithm.Md5_128, ConfidentialityAlgorithm.XRc4_40),
        15 => new(15, AuthenticationAlgorithm.HmacSha256, IntegrityAlgorithm.None, ConfidentialityAlgorithm.None),
        16 => new(16, AuthenticationAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.None),
        17 => new(17, AuthenticationAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.AesCbc128),
        18 => new(18, AuthenticationAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.XRc4_128),
        19 => new(19, AuthenticationAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.XRc4_40),
        _ => null,
    };
}
