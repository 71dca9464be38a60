namespace Bifrost.Protocols.Tftp;

/// <summary>RFC 1350 §5 opcodes, plus OACK from RFC 2347. Values are the wire values.</summary>
public enum TftpOpcode : ushort
{
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    /// <summary>RFC 2347 option acknowledgment.</summary>
    OptionAck = 6,
}

/// <summary>RFC 1350 appendix "Error Codes", plus 8 from RFC 2347. Values are the wire values.</summary>
public enum TftpErrorCode : ushort
{
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
    /// <summary>RFC 2347: the client refuses the OACK. UEFI PXE sends it on purpose after a tsize probe.</summary>
    OptionsRefused = 8,
}
