using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Session;
using Bifrost.TestKit;

namespace Bifrost.Protocols.Tests.Ipmi;

/// <summary>
/// Golden bytes from real peers: ipmitool -C 3 talking to ipmi_sim, captured by Golden/capture.sh. Our decoders read
/// every datagram, our RAKP math reproduces both sides' key-exchange codes from the password alone, our keys decrypt
/// and verify every in-session message, and ipmitool's boot flags equal ours byte for byte.
/// </summary>
[TestFixture]
public sealed class GoldenBytesTests
{
    private sealed record Datagram(bool FromClient, byte[] Bytes);

    private static List<List<Datagram>> Sessions()
    {
        var path = Path.Combine(Repo.Root, "tests/Bifrost.Protocols.Tests/Ipmi/Golden/ipmitool-C3.txt");
        var sessions = new List<List<Datagram>>();
        foreach (var line in File.ReadLines(path).Where(l => l.StartsWith("c2b ", StringComparison.Ordinal) || l.StartsWith("b2c ", StringComparison.Ordinal)))
        {
            var d = new Datagram(line.StartsWith('c'), Convert.FromHexString(line[4..]));
            if (d.FromClient && d.Bytes[4] == 0x00) sessions.Add([]); // each ipmitool run starts with a 1.5-framed query
            sessions[^1].Add(d);
        }
        return sessions;
    }

    [Test]
    public void The_capture_holds_two_ipmitool_runs()
    {
        var sessions = Sessions();
        Assert.That(sessions, Has.Count.EqualTo(2));
        Assert.That(sessions.All(s => s.Count >= 10), Is.True);
    }

    [Test]
    public void Every_datagram_decodes_and_every_code_checks_out_with_the_password()
    {
        foreach (var session in Sessions())
        {
            var q = new Queue<Datagram>(session);
            // Get Channel Authentication Capabilities, IPMI 1.5 framing both ways.
            Assert.That(Ipmi15Message.TryRead(q.Dequeue().Bytes, out var m15, out var error), Is.True, error);
            Assert.That(IpmiRequest.TryRead(m15.Message, out var caps, out error), Is.True, error);
            Assert.That(caps.Command, Is.EqualTo(GetChannelAuthenticationCapabilities.Command));
            Assert.That(Ipmi15Message.TryRead(q.Dequeue().Bytes, out m15, out error), Is.True, error);
            Assert.That(IpmiResponse.TryRead(m15.Message, out var capsResponse, out error), Is.True, error);
            Assert.That(GetChannelAuthenticationCapabilities.TryRead(capsResponse.Data, out var capabilities, out error) && capabilities.SupportsIpmi20, Is.True, error);

            var open = Read(q.Dequeue(), PayloadType.OpenSessionRequest, (byte[] p, out OpenSessionRequest r, out string? e) => OpenSessionRequest.TryRead(p, out r, out e));
            Assert.That((open.Suite.Authentication, open.Suite.Integrity, open.Suite.Confidentiality),
                Is.EqualTo((AuthenticationAlgorithm.HmacSha1, IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.AesCbc128)));
            var opened = Read(q.Dequeue(), PayloadType.OpenSessionResponse, (byte[] p, out OpenSessionResponse r, out string? e) => OpenSessionResponse.TryRead(p, out r, out e));
            Assert.That((opened.Status, opened.ConsoleSessionId), Is.EqualTo(((byte)0, open.ConsoleSessionId)));
            var rakp1 = Read(q.Dequeue(), PayloadType.Rakp1, (byte[] p, out Rakp1 r, out string? e) => Rakp1.TryRead(p, out r, out e));
            Assert.That(rakp1.Username, Is.EqualTo("admin"u8.ToArray()));
            var rakp2 = Read(q.Dequeue(), PayloadType.Rakp2, (byte[] p, out Rakp2 r, out string? e) => Rakp2.TryRead(p, out r, out e));
            var rakp3 = Read(q.Dequeue(), PayloadType.Rakp3, (byte[] p, out Rakp3 r, out string? e) => Rakp3.TryRead(p, out r, out e));
            var rakp4 = Read(q.Dequeue(), PayloadType.Rakp4, (byte[] p, out Rakp4 r, out string? e) => Rakp4.TryRead(p, out r, out e));

            var a = AuthenticationAlgorithm.HmacSha1;
            var kuid = IpmiCrypto.UserKey("password"u8);
            Assert.That(RakpMath.Rakp2Code(a, kuid, open.ConsoleSessionId, opened.BmcSessionId, rakp1.ConsoleRandom, rakp2.BmcRandom,
                rakp2.BmcGuid, rakp1.Role, rakp1.Username), Is.EqualTo(rakp2.KeyExchangeCode), "ipmi_sim's RAKP 2 code");
            Assert.That(RakpMath.Rakp3Code(a, kuid, rakp2.BmcRandom, open.ConsoleSessionId, rakp1.Role, rakp1.Username),
                Is.EqualTo(rakp3.KeyExchangeCode), "ipmitool's RAKP 3 code");
            var sik = IpmiCrypto.SessionIntegrityKey(a, kuid, rakp1.ConsoleRandom, rakp2.BmcRandom, rakp1.Role, rakp1.Username);
            Assert.That(RakpMath.Rakp4Icv(a, sik, rakp1.ConsoleRandom, opened.BmcSessionId, rakp2.BmcGuid), Is.EqualTo(rakp4.IntegrityCheck), "ipmi_sim's RAKP 4");

            var keys = SessionKeys.Derive(CipherSuite.FromId(3)!, sik);
            Assert.That(q, Is.Not.Empty);
            foreach (var d in q)
            {
                Assert.That(RmcpPlusMessage.TryRead(d.Bytes, keys, out var message, out error), Is.True, error);
                Assert.That(message.SessionId, Is.EqualTo(d.FromClient ? opened.BmcSessionId : open.ConsoleSessionId));
                if (d.FromClient) Assert.That(IpmiRequest.TryRead(message.Payload, out _, out error), Is.True, error);
                else Assert.That(IpmiResponse.TryRead(message.Payload, out _, out error), Is.True, error);
            }
        }
    }

    [Test]
    public void Ipmitool_boot_flags_for_pxe_persistent_efiboot_equal_ours()
    {
        var session = Sessions()[1];
        var requests = Decrypt(session).Where(r => r.NetFn == NetFn.Chassis && r.Command == SetSystemBootOptions.Command).ToList();
        var parameter5 = requests.Single(r => (r.Data[0] & 0x7F) == BootFlags.Parameter);
        var ours = SetSystemBootOptions.BootFlagsRequest(new BootFlags(BootDeviceSelector.Pxe, Persistent: true, Efi: true));
        Assert.That(Convert.ToHexString(parameter5.Data), Is.EqualTo(Convert.ToHexString(ours)));
    }

    [Test]
    public void The_chassis_status_answer_decodes()
    {
        var session = Sessions()[0];
        var keys = Keys(session);
        var responses = session.Skip(8).Where(d => !d.FromClient)
            .Select(d => RmcpPlusMessage.TryRead(d.Bytes, keys, out var m, out _) && IpmiResponse.TryRead(m.Payload, out var r, out _) ? r : null)
            .OfType<IpmiResponse>();
        var status = responses.Single(r => r.NetFn == (NetFn.Chassis | 1) && r.Command == GetChassisStatus.Command);
        Assert.That(status.CompletionCode, Is.Zero);
        Assert.That(GetChassisStatus.TryRead(status.Data, out var chassis, out _), Is.True);
        Assert.That(chassis.PowerOn, Is.False, "the capture's simulator was off");
    }

    private static IEnumerable<IpmiRequest> Decrypt(List<Datagram> session)
    {
        var keys = Keys(session);
        foreach (var d in session.Skip(8).Where(d => d.FromClient))
        {
            if (RmcpPlusMessage.TryRead(d.Bytes, keys, out var m, out _) && IpmiRequest.TryRead(m.Payload, out var r, out _)) yield return r;
        }
    }

    private static SessionKeys Keys(List<Datagram> session)
    {
        RmcpPlusMessage.TryRead(session[4].Bytes, SessionKeys.None, out var m1, out _);
        RmcpPlusMessage.TryRead(session[5].Bytes, SessionKeys.None, out var m2, out _);
        Rakp1.TryRead(m1.Payload, out var rakp1, out _);
        Rakp2.TryRead(m2.Payload, out var rakp2, out _);
        var sik = IpmiCrypto.SessionIntegrityKey(AuthenticationAlgorithm.HmacSha1, IpmiCrypto.UserKey("password"u8), rakp1.ConsoleRandom,
            rakp2.BmcRandom, rakp1.Role, rakp1.Username);
        return SessionKeys.Derive(CipherSuite.FromId(3)!, sik);
    }

    private delegate bool PayloadReader<T>(byte[] payload, out T value, out string? error);

    private static T Read<T>(Datagram d, PayloadType type, PayloadReader<T> read)
    {
        Assert.That(RmcpPlusMessage.TryRead(d.Bytes, SessionKeys.None, out var message, out var error), Is.True, error);
        Assert.That(message.Type, Is.EqualTo(type));
        Assert.That(read(message.Payload, out var value, out error), Is.True, error);
        return value;
    }
}
