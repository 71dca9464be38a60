namespace Bifrost.Protocols.Tftp;

public enum TftpActionKind
{
    /// <summary>Send (or resend) the OACK, then wait for ACK 0.</summary>
    SendOptionAck,
    /// <summary>Send DATA for logical blocks <c>FirstBlock .. FirstBlock + Count - 1</c>, then wait.</summary>
    SendData,
    /// <summary>Nothing to send: keep waiting with the current deadline (a duplicate or stray packet).</summary>
    Wait,
    /// <summary>The last block was acknowledged.</summary>
    Done,
    /// <summary>The client ended the transfer on purpose (ERROR 8 after the OACK: UEFI's size probe). Not a failure.</summary>
    ClientAborted,
    /// <summary>The client sent an ERROR; the transfer is over.</summary>
    ClientError,
    /// <summary>No ACK after the retry cap; the transfer is over.</summary>
    TimedOut,
}

/// <param name="FirstBlock">Logical block number (1-based, never wraps): the wire number is its low 16 bits.</param>
public readonly record struct TftpAction(TftpActionKind Kind, long FirstBlock = 0, int Count = 0, string? Reason = null)
{
    public bool EndsTransfer => Kind is TftpActionKind.Done or TftpActionKind.ClientAborted or TftpActionKind.ClientError
        or TftpActionKind.TimedOut;

    public static TftpAction Wait { get; } = new(TftpActionKind.Wait);
}
