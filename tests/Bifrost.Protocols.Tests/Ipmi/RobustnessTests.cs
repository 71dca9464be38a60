using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Rmcp;
using Bifrost.Protocols.Ipmi.Session;

namespace Bifrost.Protocols.Tests.Ipmi;

/// <summary>100,000 random and mutated inputs through every IPMI decoder: each answers true or false with a reason,
/// none throws.</summary>
[TestFixture]
public sealed class RobustnessTests
{
    private delegate bool Decoder(byte[] input, out string? error);

    private static readonly SessionKeys Suite17Keys = new(IntegrityAlgorithm.HmacSha256_128, new byte[32], ConfidentialityAlgorithm.AesCbc128, new byte[32]);

    private static readonly (string Name, Decoder Decode)[] Decoders =
    [
        ("RMCP header", (byte[] b, out string? e) => RmcpHeader.TryRead(b, out _, out e)),
        ("ASF presence", (byte[] b, out string? e) => AsfPresence.TryRead(b, out _, out e)),
        ("IPMI 1.5 message", (byte[] b, out string? e) => Ipmi15Message.TryRead(b, out _, out e)),
        ("RMCP+ pre-session", (byte[] b, out string? e) => RmcpPlusMessage.TryRead(b, SessionKeys.None, out _, out e)),
        ("RMCP+ suite 17", (byte[] b, out string? e) => RmcpPlusMessage.TryRead(b, Suite17Keys, out _, out e)),
        ("Open Session Request", (byte[] b, out string? e) => OpenSessionRequest.TryRead(b, out _, out e)),
        ("Open Session Response", (byte[] b, out string? e) => OpenSessionResponse.TryRead(b, out _, out e)),
        ("RAKP 1", (byte[] b, out string? e) => Rakp1.TryRead(b, out _, out e)),
        ("RAKP 2", (byte[] b, out string? e) => Rakp2.TryRead(b, out _, out e)),
        ("RAKP 3", (byte[] b, out string? e) => Rakp3.TryRead(b, out _, out e)),
        ("RAKP 4", (byte[] b, out string? e) => Rakp4.TryRead(b, out _, out e)),
        ("IPMI request", (byte[] b, out string? e) => IpmiRequest.TryRead(b, out _, out e)),
        ("IPMI response", (byte[] b, out string? e) => IpmiResponse.TryRead(b, out _, out e)),
        ("Get Channel Auth Capabilities", (byte[] b, out string? e) => GetChannelAuthenticationCapabilities.TryRead(b, out _, out e)),
        ("Get Channel Cipher Suites chunk", (byte[] b, out string? e) => GetChannelCipherSuites.TryReadChunk(b, out _, out e)),
        ("cipher suite records", (byte[] b, out string? e) => GetChannelCipherSuites.TryParseSuiteIds(b, out _, out e)),
        ("Set Session Privilege Level", (byte[] b, out string? e) => SetSessionPrivilegeLevel.TryRead(b, out _, out e)),
        ("Get Device ID", (byte[] b, out string? e) => GetDeviceId.TryRead(b, out _, out e)),
        ("Get Chassis Status", (byte[] b, out string? e) => GetChassisStatus.TryRead(b, out _, out e)),
        ("Get System Boot Options", (byte[] b, out string? e) => GetSystemBootOptions.TryRead(b, out _, out e)),
        ("boot flags", (byte[] b, out string? e) => BootFlags.TryRead(b, out _, out e)),
        ("AES-CBC-128", (byte[] b, out string? e) => AesCbc128.TryDecrypt(new byte[20], b, out _, out e)),
    ];

    [Test]
    public void Hundred_thousand_random_and_mutated_inputs_never_throw()
    {
        var seeds = Seeds();
        var random = new Random(2024);
        for (var i = 0; i < 100_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 100)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Length)].Clone();
                if (input.Length > 0) input[random.Next(input.Length)] ^= (byte)random.Next(1, 256);
                if (random.Next(3) == 0) input = input[..random.Next(input.Length + 1)];
            }
            foreach (var (name, decode) in Decoders)
            {
                bool ok;
                string? error;
                try
                {
                    ok = decode(input, out error);
                }
                catch (Exception e)
                {
                    Assert.Fail($"{name} threw {e.GetType().Name} on {Convert.ToHexString(input)}: {e.Message}");
                    return;
                }
                if (!ok && string.IsNullOrEmpty(error)) Assert.Fail($"{name} refused {Convert.ToHexString(input)} without a reason");
            }
        }
    }

    private static byte[][] Seeds()
    {
        var asf = new byte[AsfPresence.Ping(1).GetEncodedLength()];
        AsfPresence.Ping(1).Write(asf);
        var open = new OpenSessionResponse(1, 0, 4, 1, 2, AuthenticationAlgorithm.HmacSha256, IntegrityAlgorithm.HmacSha256_128, ConfidentialityAlgorithm.AesCbc128);
        var openBytes = new byte[open.GetEncodedLength()];
        open.Write(openBytes);
        var plus = new RmcpPlusMessage(PayloadType.Ipmi, 5, 6, new IpmiResponse(1, 1, 2, 0, [1, 0, 0]).ToArray());
        var plusBytes = new byte[plus.GetEncodedLength(Suite17Keys)];
        plus.Write(plusBytes, Suite17Keys, new byte[16]);
        return
        [
            asf, openBytes, plusBytes, new IpmiResponse(1, 1, 2, 0, [1, 0, 0]).ToArray(),
            Convert.FromHexString("0600ff0700000000000000000000000a81000000000000000000"),
            Convert.FromHexString("c00000408 0c00101408 0c003014181".Replace(" ", "", StringComparison.Ordinal)),
            new Rakp1(1, 2, new byte[16], 0x14, "admin"u8.ToArray()).ToArray(),
        ];
    }
}
