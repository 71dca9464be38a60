using System.Net;
using Bifrost.Protocols.Dhcp;

namespace Bifrost.Servers.Dhcp;

/// <summary>Facts about one received request that the pure responder cannot know from the bytes alone.</summary>
/// <param name="KnownMac">The MAC is a port of an enrolled node.</param>
/// <param name="ProxyPort">Received on 4011 (PXE boot server discovery), not 67.</param>
/// <param name="Source">The sender (a client on 68, a relay on 67, or a PXE client on its own port for 4011).</param>
public readonly record struct DhcpRequestContext(bool KnownMac, bool ProxyPort, IPEndPoint Source, DateTimeOffset Now);

/// <summary>The responder's verdict: a reply and where to send it, or a reason for silence.</summary>
public sealed record DhcpDecision(DhcpPacket? Reply, IPEndPoint? Destination, string Summary)
{
    public static DhcpDecision Ignore(string why) => new(null, null, why);
}

/// <summary>
/// Decides every DHCP answer (RFC 2131 §4.3) from the request, the settings and the lease table. No I/O: the server
/// feeds it packets and sends what it returns, so each rule is a packet-in/packet-out test.
/// </summary>
public sealed class DhcpResponder(DhcpResponderSettings settings, LeaseTable? leases)
{
    public static readonly IPEndPoint BroadcastEndpoint = new(IPAddress.Broadcast, 68);

    public DhcpResponderSettings Settings => settings;

    public DhcpDecision Respond(DhcpPacket request, DhcpRequestContext context)
    {
        if (request.Op != BootpOp.BootRequest) return DhcpDecision.Ignore("not a BOOTREQUEST");
        if (request.MessageType is not { } type) return DhcpDecision.Ignore("no DHCP message type (BOOTP is not served)");
        if (request.ClientMac is not { } mac) return DhcpDecision.Ignore("chaddr is not an Ethernet MAC");
        if (!context.KnownMac && !settings.ServeUnknown) return DhcpDecision.Ignore($"{mac} is no node's port and ServeUnknown is off");
        return settings.Mode == DhcpMode.Proxy ? RespondProxy(request, type, mac, context) : RespondFull(request, type, mac, context);
    }

    private DhcpDecision RespondFull(DhcpPacket request, DhcpMessageType type, string mac, DhcpRequestContext context)
    {
        if (leases is null) throw new InvalidOperationException("full mode needs a lease table");
        if (context.ProxyPort) return DhcpDecision.Ignore("port 4011 is only served in proxy mode");
        // One subnet: a relay on another subnet forwards for clients we have no addresses for.
        if (!request.GatewayAddress.Equals(IPAddress.Any) && !settings.InSubnet(request.GatewayAddress))
            return DhcpDecision.Ignore($"relay {request.GatewayAddress} is outside {settings.Network}/{settings.PrefixLength}");

        var client = PxeClient.From(request.Options);
        var requested = request.Options.GetAddress(DhcpOptionCode.RequestedIpAddress);
        var serverId = request.Options.GetAddress(DhcpOptionCode.ServerIdentifier);
        var now = context.Now;
        switch (type)
        {
            case DhcpMessageType.Discover:
            {
                var offer = leases.Offer(mac, requested, now);
                if (offer is null) return DhcpDecision.Ignore($"pool exhausted, no address for {mac}");
                return Answer(request, DhcpMessageType.Offer, offer, client, mac, withLease: true, Describe(type, client, $"OFFER {offer}"));
            }
            case DhcpMessageType.Request:
            {
                if (serverId is not null && !serverId.Equals(settings.ServerIdentifier))
                    return DhcpDecision.Ignore($"REQUEST for server {serverId}: the client chose another server");
                // §4.3.2: SELECTING (54 + 50), INIT-REBOOT (50, no 54, no ciaddr), RENEWING/REBINDING (ciaddr).
                var state = serverId is not null ? "selecting" : requested is not null ? "init-reboot" : "renewing";
                var wanted = state == "renewing" ? request.ClientAddress : requested;
                if (wanted is null || wanted.Equals(IPAddress.Any)) return Nak(request, "REQUEST names no address", type, client);
                if (!settings.InSubnet(wanted)) return Nak(request, $"{wanted} is not on {settings.Network}/{settings.PrefixLength}", type, client);
                var lease = leases.Commit(mac, wanted, settings.LeaseTime, now, request.Options.GetString(DhcpOptionCode.HostName));
                if (lease is null) return Nak(request, $"{wanted} is not available to {mac}", type, client);
                return Answer(request, DhcpMessageType.Ack, wanted, client, mac, withLease: true,
                    Describe(type, client, $"ACK {wanted} ({state})"));
            }
            case DhcpMessageType.Decline:
                if (serverId is not null && !serverId.Equals(settings.ServerIdentifier)) return DhcpDecision.Ignore("DECLINE for another server");
                return requested is not null && leases.Decline(mac, requested, now)
                    ? DhcpDecision.Ignore(Describe(type, client, $"{requested} declined, kept out of the pool"))
                    : DhcpDecision.Ignore("DECLINE of an address that is not this client's");
            case DhcpMessageType.Release:
                return leases.Release(mac, request.ClientAddress, now)
                    ? DhcpDecision.Ignore(Describe(type, client, $"{request.ClientAddress} released"))
                    : DhcpDecision.Ignore($"RELEASE of {request.ClientAddress}, which {mac} does not hold");
            case DhcpMessageType.Inform:
                // §4.3.5: configuration only, no lease, no yiaddr; sent to ciaddr.
                return Answer(request, DhcpMessageType.Ack, IPAddress.Any, client, mac, withLease: false, Describe(type, client, "ACK (inform)"));
            default:
                return DhcpDecision.Ignore($"{type} is a server message");
        }
    }

    private DhcpDecision RespondProxy(DhcpPacket request, DhcpMessageType type, string mac, DhcpRequestContext context)
    {
        var client = PxeClient.From(request.Options);
        // PXE 2.1 §2.2.2: a ProxyDHCP server answers only PXE clients, never gives addresses.
        if (!client.IsPxe && !client.IsHttpBoot) return DhcpDecision.Ignore("not a PXE or HTTP boot client (proxy mode)");
        DhcpMessageType replyType;
        if (context.ProxyPort)
        {
            if (type is not (DhcpMessageType.Request or DhcpMessageType.Inform)) return DhcpDecision.Ignore($"{type} on 4011");
            replyType = DhcpMessageType.Ack;
        }
        else if (type == DhcpMessageType.Discover) replyType = DhcpMessageType.Offer;
        // PXE clients ask a ProxyDHCP server again on 4011, never by REQUEST on 67. A 67 REQUEST naming us comes
        // from a client that took our address-less offer for a lease: an ACK would bind it to 0.0.0.0, so it gets
        // silence, retries, and ends up with the site server's offer.
        else return DhcpDecision.Ignore($"{type} on 67 is for the site's DHCP server (proxy mode)");

        if (BootAnswer.For(client, mac, settings) is null) return DhcpDecision.Ignore($"no boot file for arch {client.Arch}");
        var decision = Answer(request, replyType, IPAddress.Any, client, mac, withLease: false,
            Describe(type, client, $"{(replyType == DhcpMessageType.Offer ? "OFFER" : "ACK")} proxy"));
        // On 4011 the client listens on the port it sent from, at the address it already has (PXE 2.1 §2.2.5).
        return context.ProxyPort && decision.Reply is not null ? decision with { Destination = context.Source } : decision;
    }

    private DhcpDecision Answer(
        DhcpPacket request, DhcpMessageType type, IPAddress yiaddr, PxeClient client, string mac, bool withLease, string summary)
    {
        var reply = NewReply(request, type);
        reply.YourAddress = yiaddr;
        var o = reply.Options;
        if (withLease)
        {
            var seconds = (uint)Math.Min(uint.MaxValue - 1, settings.LeaseTime.TotalSeconds);
            o.SetUInt32(DhcpOptionCode.LeaseTime, seconds);
            o.SetUInt32(DhcpOptionCode.RenewalTime, seconds / 2); // T1 = 0.5 × lease (§4.4.5)
            o.SetUInt32(DhcpOptionCode.RebindingTime, (uint)(seconds * 0.875)); // T2 = 0.875 × lease
        }
        if (settings.Mode == DhcpMode.Full)
        {
            o.SetAddress(DhcpOptionCode.SubnetMask, settings.SubnetMask);
            if (settings.Router is not null) o.SetAddress(DhcpOptionCode.Router, settings.Router);
            if (settings.Dns.Count > 0) o.SetAddresses(DhcpOptionCode.DomainNameServer, settings.Dns);
            if (settings.Domain is { Length: > 0 } domain) o.SetString(DhcpOptionCode.DomainName, domain);
        }

        var boot = BootAnswer.For(client, mac, settings);
        if (boot is not null)
        {
            reply.ServerAddress = settings.NextServer;
            reply.BootFile = boot.File;
            o.SetString(DhcpOptionCode.BootfileName, boot.File);
            if (!boot.File.StartsWith("http", StringComparison.Ordinal))
                o.SetString(DhcpOptionCode.TftpServerName, settings.NextServer.ToString());
            if (boot.VendorClass is { } vendor) o.SetString(DhcpOptionCode.VendorClassIdentifier, vendor);
            if (boot.VendorClass == "PXEClient")
            {
                // PXE 2.1 §2.4: discovery control 8 = no boot server discovery, download the file named here.
                o.Set(DhcpOptionCode.VendorSpecific, EncapsulatedOptions.Encode((EncapsulatedOptions.PxeDiscoveryControl, [8])));
            }
            // PXE 2.1 §2.2.1: replies to a PXE client carry its UUID back.
            if (client.MachineId is { } uuid && (client.IsPxe || client.IsHttpBoot)) o.Set(DhcpOptionCode.ClientMachineIdentifier, uuid);
            // iPXE waits ~3 s for ProxyDHCP offers unless told there are none (LAB.md).
            if (boot.Ipxe && settings.Mode == DhcpMode.Full)
                o.Set(DhcpOptionCode.IpxeEncapsulated, EncapsulatedOptions.Encode((EncapsulatedOptions.IpxeNoPxeDhcp, [1])));
            summary += $" boot {boot.File}";
        }
        EchoRelayInfo(request, reply);
        return new DhcpDecision(reply, Destination(request, reply, type), summary);
    }

    private DhcpDecision Nak(DhcpPacket request, string why, DhcpMessageType type, PxeClient client)
    {
        var reply = NewReply(request, DhcpMessageType.Nak);
        reply.Options.SetString(DhcpOptionCode.Message, why);
        // §4.3.2: a NAK through a relay gets the broadcast bit, so the relay broadcasts it to the client.
        if (!request.GatewayAddress.Equals(IPAddress.Any)) reply.Broadcast = true;
        EchoRelayInfo(request, reply);
        return new DhcpDecision(reply, Destination(request, reply, DhcpMessageType.Nak), Describe(type, client, $"NAK: {why}"));
    }

    private DhcpPacket NewReply(DhcpPacket request, DhcpMessageType type)
    {
        var reply = new DhcpPacket
        {
            Op = BootpOp.BootReply,
            HardwareType = request.HardwareType,
            HardwareLength = request.HardwareLength,
            TransactionId = request.TransactionId,
            Flags = request.Flags,
            GatewayAddress = request.GatewayAddress,
            ClientAddress = type == DhcpMessageType.Nak ? IPAddress.Any : request.ClientAddress,
            ClientHardwareAddress = (byte[])request.ClientHardwareAddress.Clone(),
        };
        reply.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        reply.Options.SetAddress(DhcpOptionCode.ServerIdentifier, settings.ServerIdentifier);
        return reply;
    }

    /// <summary>RFC 3046 §2.2: a server that understands option 82 copies it, unchanged, into its reply, last.</summary>
    private static void EchoRelayInfo(DhcpPacket request, DhcpPacket reply)
    {
        if (request.Options.Get(DhcpOptionCode.RelayAgentInformation) is { } info && !request.GatewayAddress.Equals(IPAddress.Any))
            reply.Options.Set(DhcpOptionCode.RelayAgentInformation, info);
    }

    /// <summary>
    /// RFC 2131 §4.1: giaddr set → the relay's port 67; NAK → broadcast; ciaddr set → unicast to it; otherwise
    /// broadcast. (Unicast to yiaddr would need an ARP entry for an address the client does not have yet;
    /// broadcast is always correct, only noisier.)
    /// </summary>
    private static IPEndPoint Destination(DhcpPacket request, DhcpPacket reply, DhcpMessageType type)
    {
        if (!request.GatewayAddress.Equals(IPAddress.Any)) return new IPEndPoint(request.GatewayAddress, 67);
        if (type == DhcpMessageType.Nak || reply.MessageType == DhcpMessageType.Nak) return BroadcastEndpoint;
        if (!request.ClientAddress.Equals(IPAddress.Any)) return new IPEndPoint(request.ClientAddress, 68);
        return BroadcastEndpoint;
    }

    /// <summary>"DISCOVER arch 7 user-class iPXE → OFFER 10.0.0.5": one line for the node's boot timeline.</summary>
    private static string Describe(DhcpMessageType type, PxeClient client, string outcome)
    {
        var parts = type.ToString().ToUpperInvariant();
        if (client.Arch is { } arch) parts += $" arch {(ushort)arch}";
        if (client.UserClasses.Count > 0) parts += $" user-class {client.UserClasses[^1]}";
        else if (client.VendorClass is { } vendor) parts += $" vendor-class {vendor}";
        return $"{parts} → {outcome}";
    }

}
