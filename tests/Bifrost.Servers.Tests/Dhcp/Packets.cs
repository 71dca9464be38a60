using System.Net;
using Bifrost.Protocols.Dhcp;
using Bifrost.Servers.Dhcp;

namespace Bifrost.Servers.Tests.Dhcp;

/// <summary>Requests as real clients send them, and a responder over a fresh lease table.</summary>
internal static class Packets
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    public const string Mac = "52:54:00:00:00:01";
    public const string OtherMac = "52:54:00:00:00:02";
    public static readonly IPAddress Server = IPAddress.Parse("10.0.0.1");

    public static DhcpResponderSettings Full(Func<DhcpResponderSettings, DhcpResponderSettings>? change = null)
    {
        var s = new DhcpResponderSettings
        {
            Mode = DhcpMode.Full,
            ServerIdentifier = Server,
            NextServer = IPAddress.Parse("10.0.0.2"),
            BootBaseUrl = "http://10.0.0.1:8080",
            Network = IPAddress.Parse("10.0.0.0"),
            PrefixLength = 24,
            Router = Server,
            Dns = [Server],
            Domain = "lab.test",
            LeaseTime = TimeSpan.FromHours(1),
        };
        return change is null ? s : change(s);
    }

    public static DhcpResponderSettings Proxy() => Full(s => s with { Mode = DhcpMode.Proxy, Network = null, PrefixLength = 0 });

    public static LeaseTable Pool(int size = 10) =>
        new(IPAddress.Parse("10.0.0.100"), IPAddress.Parse($"10.0.0.{100 + size - 1}"));

    public static DhcpPacket Request(DhcpMessageType type, string mac = Mac)
    {
        var p = new DhcpPacket { TransactionId = 0x1234 };
        var bytes = mac.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray();
        bytes.CopyTo(p.ClientHardwareAddress, 0);
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        return p;
    }

    public static DhcpPacket Pxe(this DhcpPacket p, ushort arch)
    {
        p.Options.Set(DhcpOptionCode.ClientSystemArchitecture, [(byte)(arch >> 8), (byte)arch]);
        p.Options.SetString(DhcpOptionCode.VendorClassIdentifier, $"PXEClient:Arch:{arch:D5}:UNDI:003016");
        return p;
    }

    public static DhcpPacket With(this DhcpPacket p, Action<DhcpPacket> change)
    {
        change(p);
        return p;
    }

    public static DhcpRequestContext Context(bool known = false, bool proxyPort = false, IPEndPoint? source = null) =>
        new(known, proxyPort, source ?? new IPEndPoint(IPAddress.Any, 68), Now);

    /// <summary>Encodes and decodes the reply, so every table case also checks it survives the wire.</summary>
    public static DhcpPacket OverTheWire(DhcpPacket reply)
    {
        var buffer = new byte[reply.GetEncodedLength()];
        reply.Write(buffer);
        if (buffer.Length < DhcpPacket.MinimumLength) throw new InvalidOperationException("reply under 300 bytes");
        return DhcpPacket.TryRead(buffer, out var read, out var error) ? read : throw new InvalidOperationException(error);
    }
}
