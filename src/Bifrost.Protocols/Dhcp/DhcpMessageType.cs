namespace Bifrost.Protocols.Dhcp;

/// <summary>RFC 2132 §9.6 DHCP Message Type (option 53). Values are the wire values.</summary>
public enum DhcpMessageType : byte
{
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
}

/// <summary>RFC 2131 §2 'op': BOOTREQUEST from clients, BOOTREPLY from servers.</summary>
public enum BootpOp : byte
{
    BootRequest = 1,
    BootReply = 2,
}
