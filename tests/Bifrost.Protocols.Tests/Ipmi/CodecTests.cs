using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Rmcp;
using Bifrost.Protocols.Ipmi.Session;

namespace Bifrost.Protocols.Tests.Ipmi;

/// <summary>Each message's encoding against bytes written out by hand from the spec tables, and decoding back.</summary>
[TestFixture]
public sealed class CodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static IEnumerable<TestCaseData> Encodings()
    {
        TestCaseData Case(string rule, Func<byte[]> encode, string hex) => new TestCaseData(encode, hex).SetName(rule);

        yield return Case("ASF presence ping: RMCP class 6, IANA 4542, type 0x80, tag", () => Encode(AsfPresence.Ping(7)),
            "06 00 ff 06 00 00 11 be 80 07 00 00");
        yield return Case("IPMI request: rsSA, netFn<<2, chk1, rqSA 0x81, rqSeq<<2, cmd, data, chk2",
            () => new IpmiRequest(NetFn.App, GetChannelAuthenticationCapabilities.Command, 1,
                GetChannelAuthenticationCapabilities.Request(4)).ToArray(),
            "20 18 c8 81 04 38 8e 04 b1");
        yield return Case("Get Chassis Status request has no data", () => new IpmiRequest(NetFn.Chassis, GetChassisStatus.Command, 5, []).ToArray(),
            "20 00 e0 81 14 01 6a");
        yield return Case("IPMI 1.5 pre-session frame: auth none, seq 0, session 0, length",
            () => Encode15(new Ipmi15Message(0, 0, [0xAA, 0xBB])), "06 00 ff 07 00 00000000 00000000 02 aa bb");
        yield return Case("Get Channel Cipher Suites asks for list index with bit 7 (by suite)", () => GetChannelCipherSuites.Request(2),
            "0e 00 82");
        yield return Case("Set Session Privilege Level carries the level", () => SetSessionPrivilegeLevel.Request(4), "04");
        yield return Case("Close Session carries the BMC's session ID little-endian", () => CloseSession.Request(0x01020304), "04 03 02 01");
        yield return Case("Chassis Control soft shutdown is 5", () => ChassisControl.Request(5), "05");
        yield return Case("Boot flags: valid|persistent|EFI, PXE selector 0001<<2",
            () => SetSystemBootOptions.BootFlagsRequest(new BootFlags(BootDeviceSelector.Pxe, Persistent: true, Efi: true)),
            "05 e0 04 00 00 00");
        yield return Case("Boot flags: valid, next boot only, legacy, disk selector 0010<<2",
            () => SetSystemBootOptions.BootFlagsRequest(new BootFlags(BootDeviceSelector.Disk, Persistent: false, Efi: false)),
            "05 80 08 00 00 00");
        yield return Case("Boot flags: persistent legacy BIOS setup 0110<<2",
            () => SetSystemBootOptions.BootFlagsRequest(new BootFlags(BootDeviceSelector.BiosSetup, true, false)), "05 c0 18 00 00 00");
        yield return Case("Boot flags: EFI next-boot CD/DVD 0101<<2, safe mode 0011<<2",
            () => [.. new BootFlags(BootDeviceSelector.CdDvd, false, true).ToArray(), .. new BootFlags(BootDeviceSelector.SafeMode, false, false).ToArray()],
            "a0 14 00 00 00 80 0c 00 00 00");
        yield return Case("Parameter 3 = 0x08: don't clear the valid bit after 60 s (as Ironic)", SetSystemBootOptions.ValidBitClearing, "03 08");
        yield return Case("Get System Boot Options: parameter, set 0, block 0", () => GetSystemBootOptions.Request(5), "05 00 00");
        yield return Case("Open Session Request suite 17: tag, priv, console ID, auth 3, integ 4, conf 1",
            () => new OpenSessionRequest(1, 4, 0x0A0B0C0D, CipherSuite.FromId(17)!).ToArray(),
            "01 04 0000 0d0c0b0a 00 0000 08 03 000000 01 0000 08 04 000000 02 0000 08 01 000000");
        yield return Case("RAKP 1: tag, BMC ID, Rm, role, name length, name",
            () => new Rakp1(2, 0x01020304, new byte[16], 0x14, "admin"u8.ToArray()).ToArray(),
            "02 000000 04030201 00000000000000000000000000000000 14 0000 05 61646d696e");
        yield return Case("RAKP 3: tag, status, BMC ID, code", () => new Rakp3(3, 0, 0x01020304, [0xAB]).ToArray(), "03 00 0000 04030201 ab");
    }

    [TestCaseSource(nameof(Encodings))]
    public void Encodes(Func<byte[]> encode, string hex) => Assert.That(Convert.ToHexString(encode()), Is.EqualTo(Convert.ToHexString(Hex(hex))));

    [Test]
    public void Checksums_make_the_covered_bytes_sum_to_zero()
    {
        Assert.That(Checksum.Of([0x20, 0x18]), Is.EqualTo(0xC8));
        Assert.That(Checksum.IsValid([0x20, 0x18, 0xC8]), Is.True);
        Assert.That(Checksum.IsValid([0x20, 0x18, 0xC9]), Is.False);
    }

    [Test]
    public void Ipmi_response_round_trips_and_a_bad_checksum_is_refused()
    {
        var bytes = new IpmiResponse(NetFn.Chassis | 1, GetChassisStatus.Command, 9, 0, [0x01, 0x00, 0x40]).ToArray();
        Assert.That(IpmiResponse.TryRead(bytes, out var r, out var error), Is.True, error);
        Assert.That((r.NetFn, r.Command, r.RqSeq, r.CompletionCode), Is.EqualTo(((byte)1, (byte)1, (byte)9, (byte)0)));
        Assert.That(GetChassisStatus.TryRead(r.Data, out var status, out _) && status.PowerOn, Is.True);
        bytes[^2] ^= 0xFF;
        Assert.That(IpmiResponse.TryRead(bytes, out _, out error), Is.False);
        Assert.That(error, Does.Contain("checksum"));
    }


    [Test]
    public void Get_channel_auth_capabilities_reads_ipmi20_support()
    {
        Assert.That(GetChannelAuthenticationCapabilities.TryRead(Hex("01 82 04 02 000000 00"), out var caps, out _), Is.True);
        Assert.That(caps.SupportsIpmi20, Is.True);
        Assert.That(GetChannelAuthenticationCapabilities.TryRead(Hex("01 02 04 00 000000 00"), out caps, out _) && caps.SupportsIpmi20, Is.False);
        Assert.That(GetChannelAuthenticationCapabilities.TryRead(Hex("01 82"), out _, out _), Is.False);
    }

    [Test]
    public void Get_device_id_reads_manufacturer_and_product()
    {
        Assert.That(GetDeviceId.TryRead(Hex("20 81 01 02 02 bf 9f1200 9112"), out var id, out var error), Is.True, error);
        Assert.That((id.DeviceId, id.DeviceRevision, id.FirmwareMajor, id.IpmiVersion, id.ManufacturerId, id.ProductId),
            Is.EqualTo(((byte)0x20, (byte)1, (byte)1, (byte)2, 0x129F, (ushort)0x1291)));
    }

    [Test]
    public void Get_system_boot_options_and_boot_flags_decode()
    {
        Assert.That(GetSystemBootOptions.TryRead(Hex("01 05 e0 04 00 00 00"), out var options, out _), Is.True);
        Assert.That(options.Parameter, Is.EqualTo(5));
        Assert.That(BootFlags.TryRead(options.ParameterData, out var flags, out _), Is.True);
        Assert.That(flags, Is.EqualTo(new BootFlags(BootDeviceSelector.Pxe, Persistent: true, Efi: true, Valid: true)));
    }

    [Test]
    public void Cipher_suite_records_list_standard_ids_and_skip_oem_ones()
    {
        // ipmi_sim's list: suites 0..3 (C0 id, then tagged algorithm bytes), and an OEM record C1 id IANA(3) algs.
        var records = Hex("c0 00 00 40 80  c0 01 01 40 80  c0 03 01 41 81  c1 20 f3 1b 00 03 44 81  c0 11 03 44 81");
        Assert.That(GetChannelCipherSuites.TryParseSuiteIds(records, out var ids, out var error), Is.True, error);
        Assert.That(ids, Is.EqualTo(new[] { 0, 1, 3, 17 }));
        Assert.That(GetChannelCipherSuites.TryParseSuiteIds(Hex("01 02"), out _, out _), Is.False);
    }

    [Test]
    public void Open_session_response_and_refusal_decode()
    {
        var ok = new OpenSessionResponse(1, 0, 4, 0x0A0B0C0D, 0x01020304, AuthenticationAlgorithm.HmacSha1,
            IntegrityAlgorithm.HmacSha1_96, ConfidentialityAlgorithm.AesCbc128);
        var bytes = new byte[ok.GetEncodedLength()];
        ok.Write(bytes);
        Assert.That(OpenSessionResponse.TryRead(bytes, out var back, out var error), Is.True, error);
        Assert.That(back, Is.EqualTo(ok));
        Assert.That(OpenSessionResponse.TryRead(Hex("01 11 00 00 0d0c0b0a"), out var refused, out _), Is.True);
        Assert.That((refused.Status, RmcpPlusStatus.IsCipherSuiteRefusal(refused.Status)), Is.EqualTo(((byte)0x11, true)));
    }

    [Test]
    public void Rakp_2_and_4_decode_with_status()
    {
        var two = new Rakp2(2, 0, 0x0A0B0C0D, new byte[16], new byte[16], new byte[20]);
        var bytes = new byte[two.GetEncodedLength()];
        two.Write(bytes);
        Assert.That(Rakp2.TryRead(bytes, out var back, out _) && back.KeyExchangeCode.Length == 20, Is.True);
        Assert.That(Rakp2.TryRead(Hex("02 0d 0000 0d0c0b0a"), out back, out _) && back.Status == RmcpPlusStatus.UnauthorizedName, Is.True);
        Assert.That(Rakp4.TryRead(Hex("03 00 0000 0d0c0b0a 0102030405060708090a0b0c"), out var four, out _), Is.True);
        Assert.That(four.IntegrityCheck, Has.Length.EqualTo(12));
    }

    [Test]
    public void Rmcp_plus_unauthenticated_round_trip_and_pad_rules()
    {
        var message = new RmcpPlusMessage(PayloadType.OpenSessionRequest, 0, 0, [1, 2, 3]);
        var bytes = new byte[message.GetEncodedLength(SessionKeys.None)];
        message.Write(bytes, SessionKeys.None);
        Assert.That(Convert.ToHexString(bytes), Is.EqualTo("0600FF07061000000000000000000300010203"));
        Assert.That(RmcpPlusMessage.TryRead(bytes, SessionKeys.None, out var back, out _), Is.True);
        Assert.That(back.Payload, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [TestCase(0), TestCase(1), TestCase(14), TestCase(15), TestCase(16), TestCase(100)]
    public void Aes_cbc_128_pads_with_1_2_3_and_round_trips(int length)
    {
        var k2 = new byte[20];
        var iv = new byte[16];
        var plain = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var encrypted = new byte[AesCbc128.GetEncryptedLength(length)];
        AesCbc128.Encrypt(k2, iv, plain, encrypted);
        Assert.That(encrypted.Length % 16, Is.Zero);
        Assert.That(AesCbc128.TryDecrypt(k2, encrypted, out var back, out var error), Is.True, error);
        Assert.That(back, Is.EqualTo(plain));
    }

    [Test]
    public void Cipher_suites_say_what_they_lack()
    {
        Assert.That(CipherSuite.FromId(0)!.Weakness(), Is.EqualTo("no authentication, no integrity, no confidentiality"));
        Assert.That(CipherSuite.FromId(2)!.Weakness(), Is.EqualTo("no confidentiality"));
        Assert.That(CipherSuite.FromId(3)!.IsSecure && CipherSuite.FromId(17)!.IsSecure, Is.True);
        Assert.That(CipherSuite.FromId(8)!.IsImplemented, Is.False);
        Assert.That(CipherSuite.FromId(20), Is.Null);
    }

    private static byte[] Encode(AsfPresence p)
    {
        var b = new byte[p.GetEncodedLength()];
        p.Write(b);
        return b;
    }

    private static byte[] Encode15(Ipmi15Message m)
    {
        var b = new byte[m.GetEncodedLength()];
        m.Write(b);
        return b;
    }
}
