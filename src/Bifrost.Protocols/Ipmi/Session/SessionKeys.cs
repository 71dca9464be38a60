using Bifrost.Protocols.Ipmi.Crypto;

namespace Bifrost.Protocols.Ipmi.Session;

/// <summary>What an established RMCP+ session protects its payloads with: the suite's integrity and confidentiality
/// algorithms with K1 and K2 (IPMI v2.0 §13.32). <see cref="None"/> is the pre-session state.</summary>
public sealed record SessionKeys(IntegrityAlgorithm Integrity, byte[] K1, ConfidentialityAlgorithm Confidentiality, byte[] K2)
{
    public static readonly SessionKeys None = new(IntegrityAlgorithm.None, [], ConfidentialityAlgorithm.None, []);

    /// <summary>Derives K1 and K2 from the SIK for a suite.</summary>
    public static SessionKeys Derive(CipherSuite suite, byte[] sik) => new(
        suite.Integrity, IpmiCrypto.AdditionalKey(suite.Authentication, sik, 1),
        suite.Confidentiality, IpmiCrypto.AdditionalKey(suite.Authentication, sik, 2));
}
