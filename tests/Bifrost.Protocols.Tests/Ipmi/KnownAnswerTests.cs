using System.Text;
using System.Text.Json;
using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Session;
using Bifrost.TestKit;

namespace Bifrost.Protocols.Tests.Ipmi;

/// <summary>
/// Suites 17 and 3 against vectors computed independently by Vectors/make_vectors.py (Python hmac + openssl, from the
/// spec's formulas). No BMC on this machine speaks suite 17, so this is its proof.
/// </summary>
[TestFixture]
public sealed class KnownAnswerTests
{
    public sealed record Vector(JsonElement Json)
    {
        public int Suite => Json.GetProperty("suite").GetInt32();
        public byte[] Bytes(string name) => Convert.FromHexString(Json.GetProperty(name).GetString()!);
        public uint U32(string name) => Json.GetProperty(name).GetUInt32();
        public byte[] Username => Encoding.ASCII.GetBytes(Json.GetProperty("username").GetString()!);
        public byte[] Kuid => IpmiCrypto.UserKey(Encoding.ASCII.GetBytes(Json.GetProperty("password").GetString()!));
        public byte Role => (byte)Json.GetProperty("role").GetInt32();
        public CipherSuite CipherSuite => CipherSuite.FromId(Suite)!;
        public override string ToString() => $"suite {Suite}";
    }

    public static IEnumerable<TestCaseData> Vectors()
    {
        var path = Path.Combine(Repo.Root, "tests/Bifrost.Protocols.Tests/Ipmi/Vectors/vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var v in doc.RootElement.EnumerateArray())
        {
            var vector = new Vector(v.Clone());
            yield return new TestCaseData(vector).SetArgDisplayNames($"suite {vector.Suite}");
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void Rakp2_and_rakp3_key_exchange_codes(Vector v)
    {
        var s = v.CipherSuite;
        Assert.That(RakpMath.Rakp2Code(s.Authentication, v.Kuid, v.U32("console_session_id"), v.U32("bmc_session_id"),
            v.Bytes("console_random"), v.Bytes("bmc_random"), v.Bytes("bmc_guid"), v.Role, v.Username), Is.EqualTo(v.Bytes("rakp2_code")));
        Assert.That(RakpMath.Rakp3Code(s.Authentication, v.Kuid, v.Bytes("bmc_random"), v.U32("console_session_id"), v.Role, v.Username),
            Is.EqualTo(v.Bytes("rakp3_code")));
    }

    [TestCaseSource(nameof(Vectors))]
    public void Sik_k1_k2_with_20_byte_constants_and_rakp4_icv(Vector v)
    {
        var s = v.CipherSuite;
        var sik = IpmiCrypto.SessionIntegrityKey(s.Authentication, v.Kuid, v.Bytes("console_random"), v.Bytes("bmc_random"), v.Role, v.Username);
        Assert.That(sik, Is.EqualTo(v.Bytes("sik")));
        var keys = SessionKeys.Derive(s, sik);
        Assert.That(keys.K1, Is.EqualTo(v.Bytes("k1")));
        Assert.That(keys.K2, Is.EqualTo(v.Bytes("k2")));
        Assert.That(RakpMath.Rakp4Icv(s.Authentication, sik, v.Bytes("console_random"), v.U32("bmc_session_id"), v.Bytes("bmc_guid")),
            Is.EqualTo(v.Bytes("rakp4_icv")));
    }

    [TestCaseSource(nameof(Vectors))]
    public void A_full_encrypted_and_signed_message_matches_byte_for_byte(Vector v)
    {
        var keys = new SessionKeys(v.CipherSuite.Integrity, v.Bytes("k1"), v.CipherSuite.Confidentiality, v.Bytes("k2"));
        var request = new IpmiRequest(NetFn.Chassis, GetChassisStatus.Command, 5, []).ToArray();
        Assert.That(request, Is.EqualTo(v.Bytes("ipmi_request")));
        var message = new RmcpPlusMessage(PayloadType.Ipmi, v.U32("bmc_session_id"), 7, request);
        var buffer = new byte[message.GetEncodedLength(keys)];
        var length = message.Write(buffer, keys, v.Bytes("iv"));
        Assert.That(buffer[..length], Is.EqualTo(v.Bytes("datagram")));
    }

    [TestCaseSource(nameof(Vectors))]
    public void The_vector_datagram_decodes_and_a_flipped_bit_is_refused(Vector v)
    {
        var keys = new SessionKeys(v.CipherSuite.Integrity, v.Bytes("k1"), v.CipherSuite.Confidentiality, v.Bytes("k2"));
        var datagram = v.Bytes("datagram");
        Assert.That(RmcpPlusMessage.TryRead(datagram, keys, out var message, out var error), Is.True, error);
        Assert.That(message.Payload, Is.EqualTo(v.Bytes("ipmi_request")));
        Assert.That(message.Sequence, Is.EqualTo(7u));
        datagram[30] ^= 0x01;
        Assert.That(RmcpPlusMessage.TryRead(datagram, keys, out _, out error), Is.False);
        Assert.That(error, Does.Contain("integrity"));
    }
}
