using Bifrost.Protocols.Tftp;

namespace Bifrost.Servers.Tftp;

/// <summary>What to do with a datagram that arrived on the TFTP listening port.</summary>
public abstract record TftpDecision
{
    /// <summary>Drop it (malformed or not a request); <paramref name="Reason"/> goes to the debug log.</summary>
    public sealed record Ignore(string Reason) : TftpDecision;

    /// <summary>Answer with an ERROR packet and no transfer.</summary>
    public sealed record Refuse(TftpRequest Request, TftpErrorCode Code, string Message) : TftpDecision;

    /// <summary>Start a read transfer of <paramref name="File"/> with the negotiated options.</summary>
    public sealed record Serve(TftpRequest Request, TftpFile File, TftpTransferOptions Options) : TftpDecision;
}

/// <summary>
/// Decides how to answer a request on port 69, without I/O of its own (the file lookup is the backend's). Read-only:
/// WRQ gets error 2. Only octet mode: netascii would change the length of the data (LF → CR LF), so blocks could no
/// longer be read at fixed offsets, and nothing in network booting asks for it; such requests get error 4 saying so.
/// </summary>
public sealed class TftpResponder(ITftpFiles files, TftpLimits limits)
{
    public TftpDecision Decide(ReadOnlySpan<byte> datagram)
    {
        if (!TftpWire.TryPeekOpcode(datagram, out var opcode)) return new TftpDecision.Ignore("shorter than an opcode");
        if (opcode is not (TftpOpcode.ReadRequest or TftpOpcode.WriteRequest))
            return new TftpDecision.Ignore($"opcode {(ushort)opcode} on the request port");
        if (!TftpRequest.TryRead(datagram, out var request, out var error))
            return new TftpDecision.Ignore($"malformed request: {error}");
        if (opcode == TftpOpcode.WriteRequest)
            return new TftpDecision.Refuse(request, TftpErrorCode.AccessViolation, "write requests are refused: this server is read-only");
        switch (request.Mode.ToLowerInvariant())
        {
            case "octet":
                break;
            case "netascii":
                return new TftpDecision.Refuse(request, TftpErrorCode.IllegalOperation, "netascii mode is not supported: use octet (binary) mode");
            default:
                return new TftpDecision.Refuse(request, TftpErrorCode.IllegalOperation, $"unsupported transfer mode '{request.Mode}': use octet");
        }
        var lookup = files.Find(request.Filename);
        if (lookup.File is not { } file) return new TftpDecision.Refuse(request, lookup.Error, lookup.Message);
        return new TftpDecision.Serve(request, file, TftpOptions.Negotiate(request, file.Length, limits));
    }
}
