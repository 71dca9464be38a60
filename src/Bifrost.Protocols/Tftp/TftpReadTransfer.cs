namespace Bifrost.Protocols.Tftp;

/// <summary>
/// The server side of one read transfer, sans I/O: each event returns what to send next. It never touches the file or
/// a socket; the caller reads block <c>n</c> at offset <c>(n - 1) * BlockSize</c> and does the sending and the timing.
/// <list type="bullet">
/// <item>Blocks are numbered logically from 1 and never wrap; the wire number is the low 16 bits, so a file of more
/// than 65,535 blocks rolls over 65535 → 0 (what tftp-hpa, atftp and curl expect).</item>
/// <item>RFC 7440 windowsize: a whole window goes out at once; an ACK for a block inside it (a partial ACK: the client
/// lost the next one) restarts the window right after the acknowledged block.</item>
/// <item>ACKs for blocks already acknowledged, or not yet sent, are ignored: answering duplicates would double every
/// packet from then on (RFC 1350's "Sorcerer's Apprentice" bug, RFC 1123 §4.2.3.1).</item>
/// <item>A timeout resends everything after the last acknowledged block; more than <c>maxRetries</c> in a row without
/// progress ends the transfer.</item>
/// </list>
/// </summary>
public sealed class TftpReadTransfer
{
    private readonly int _maxRetries;
    private bool _optionAckPending;
    private long _acked;
    private long _sentUpTo;
    private bool _finished;

    public TftpReadTransfer(long fileLength, TftpTransferOptions options, int maxRetries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        FileLength = fileLength;
        Options = options;
        _maxRetries = maxRetries;
        // The last block is the first short one; a file of exactly n blocks ends with an empty block n + 1.
        LastBlock = fileLength / options.BlockSize + 1;
    }

    public long FileLength { get; }
    public TftpTransferOptions Options { get; }
    public long LastBlock { get; }
    /// <summary>Logical number of the last acknowledged block (0: none yet).</summary>
    public long AckedBlock => _acked;
    /// <summary>Timeouts in a row since the last progress.</summary>
    public int Retries { get; private set; }
    public bool IsFinished => _finished;

    public static ushort WireBlock(long logicalBlock) => unchecked((ushort)logicalBlock);

    public long Offset(long logicalBlock) => (logicalBlock - 1) * Options.BlockSize;

    /// <summary>Payload length of a block: full blocks, then the short (possibly empty) last one.</summary>
    public int PayloadLength(long logicalBlock) =>
        (int)Math.Clamp(FileLength - Offset(logicalBlock), 0, Options.BlockSize);

    public TftpAction Start()
    {
        if (Options.SendsOptionAck)
        {
            _optionAckPending = true;
            return new TftpAction(TftpActionKind.SendOptionAck);
        }
        return SendWindowFrom(1);
    }

    public TftpAction OnAck(ushort block)
    {
        if (_finished) return TftpAction.Wait;
        if (_optionAckPending)
        {
            // RFC 2347: the client acknowledges the OACK with ACK 0; anything else is stray.
            if (block != 0) return TftpAction.Wait;
            _optionAckPending = false;
            Retries = 0;
            return SendWindowFrom(1);
        }
        // The only logical block with these low 16 bits that can be acknowledged lies within 65,535 after the last
        // ACK (a window is at most 65,535 blocks). Distance 0 is a duplicate; beyond what we sent is stray or old.
        var distance = (ushort)(block - WireBlock(_acked));
        if (distance == 0) return TftpAction.Wait;
        var logical = _acked + distance;
        if (logical > _sentUpTo) return TftpAction.Wait;
        _acked = logical;
        Retries = 0;
        if (logical == LastBlock)
        {
            _finished = true;
            return new TftpAction(TftpActionKind.Done);
        }
        return SendWindowFrom(logical + 1);
    }

    public TftpAction OnError(TftpErrorCode code, string message)
    {
        if (_finished) return TftpAction.Wait;
        _finished = true;
        if (code == TftpErrorCode.OptionsRefused && _optionAckPending)
            return new TftpAction(TftpActionKind.ClientAborted, Reason: "client ended the transfer after the OACK (size probe)");
        var text = message.Length == 0 ? "" : $": {message}";
        return new TftpAction(TftpActionKind.ClientError, Reason: $"client sent error {(ushort)code} ({code}){text}");
    }

    public TftpAction OnTimeout()
    {
        if (_finished) return TftpAction.Wait;
        if (++Retries > _maxRetries)
        {
            _finished = true;
            var what = _optionAckPending ? "the OACK" : $"block {_acked + 1}";
            return new TftpAction(TftpActionKind.TimedOut, Reason: $"no ACK for {what} after {_maxRetries} retransmissions");
        }
        return _optionAckPending ? new TftpAction(TftpActionKind.SendOptionAck) : SendWindowFrom(_acked + 1);
    }

    private TftpAction SendWindowFrom(long first)
    {
        var count = (int)Math.Min(Options.WindowSize, LastBlock - first + 1);
        _sentUpTo = first + count - 1;
        return new TftpAction(TftpActionKind.SendData, first, count);
    }
}
