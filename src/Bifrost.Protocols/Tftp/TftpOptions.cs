using System.Globalization;

namespace Bifrost.Protocols.Tftp;

/// <summary>What a read transfer runs with after option negotiation.</summary>
/// <param name="Acknowledged">The options to put in the OACK; empty = no OACK, DATA block 1 answers the RRQ.</param>
public sealed record TftpTransferOptions(int BlockSize, int WindowSize, TimeSpan Timeout, IReadOnlyList<KeyValuePair<string, string>> Acknowledged)
{
    public bool SendsOptionAck => Acknowledged.Count > 0;
}

/// <summary>The server's bounds for negotiation and its defaults for clients that ask for nothing.</summary>
public sealed record TftpLimits
{
    public int MaxBlockSize { get; init; } = TftpOptions.MaxBlockSize;
    public int MaxWindowSize { get; init; } = TftpOptions.MaxWindowSize;
    /// <summary>Retransmission timeout when the client sends no <c>timeout</c> option.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Option negotiation for read requests: RFC 2347 (framework), RFC 2348 (blksize), RFC 2349 (timeout, tsize),
/// RFC 7440 (windowsize). Unknown or invalid options are left out of the OACK, which RFC 2347 allows; the transfer then
/// runs with the default for that option.
/// </summary>
public static class TftpOptions
{
    public const int DefaultBlockSize = 512;
    /// <summary>RFC 2348: "between 8 and 65464 octets, inclusive".</summary>
    public const int MinBlockSize = 8;
    public const int MaxBlockSize = 65464;
    /// <summary>RFC 7440: "between 1 and 65535 blocks, inclusive".</summary>
    public const int MaxWindowSize = 65535;

    public static TftpTransferOptions Negotiate(TftpRequest request, long fileLength, TftpLimits limits)
    {
        var blockSize = DefaultBlockSize;
        var windowSize = 1;
        var timeout = limits.DefaultTimeout;
        var ack = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (rawName, value) in request.Options)
        {
            var name = rawName.ToLowerInvariant();
            if (!seen.Add(name)) continue; // a repeated option: the first one counts
            switch (name)
            {
                case "blksize" when TryInt(value, out var v) && v >= MinBlockSize:
                    // RFC 2348: the server may answer a smaller value than asked; never a larger one.
                    blockSize = (int)Math.Min(v, Math.Min(MaxBlockSize, limits.MaxBlockSize));
                    ack.Add(new("blksize", blockSize.ToString(CultureInfo.InvariantCulture)));
                    break;
                case "windowsize" when TryInt(value, out var v) && v is >= 1 and <= MaxWindowSize:
                    windowSize = (int)Math.Min(v, limits.MaxWindowSize);
                    ack.Add(new("windowsize", windowSize.ToString(CultureInfo.InvariantCulture)));
                    break;
                case "timeout" when TryInt(value, out var v) && v is >= 1 and <= 255:
                    // RFC 2349: seconds, 1..255, and the server must accept it as given or leave it out.
                    timeout = TimeSpan.FromSeconds(v);
                    ack.Add(new("timeout", v.ToString(CultureInfo.InvariantCulture)));
                    break;
                case "tsize" when TryInt(value, out _) && request.Opcode == TftpOpcode.ReadRequest:
                    // RFC 2349: in a read request the client sends 0 and the server answers the file's size.
                    ack.Add(new("tsize", fileLength.ToString(CultureInfo.InvariantCulture)));
                    break;
            }
        }
        return new TftpTransferOptions(blockSize, windowSize, timeout, ack);
    }

    private static bool TryInt(string value, out long result) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
}
