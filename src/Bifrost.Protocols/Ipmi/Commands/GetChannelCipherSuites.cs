namespace Bifrost.Protocols.Ipmi.Commands;

/// <summary>
/// IPMI v2.0 §22.15 Get Channel Cipher Suites (App 0x54). Request: channel (1), payload type (1: 0 = IPMI), list
/// index (1: bit 7 = list algorithms by cipher suite, bits 5:0 = which 16-byte chunk). Response: channel (1), up to 16
/// bytes of cipher suite records; a chunk shorter than 16 bytes is the last. Records (table 22-18): 0xC0, suite ID,
/// then algorithm bytes tagged by bits 7:6 (00 authentication, 01 integrity, 10 confidentiality); or 0xC1, suite ID,
/// OEM IANA (3) then algorithms.
/// </summary>
public static class GetChannelCipherSuites
{
    public const byte Command = 0x54;
    public const int ChunkLength = 16;

    public static byte[] Request(byte listIndex) => [0x0E, 0x00, (byte)(0x80 | (listIndex & 0x3F))];

    /// <summary>Reads one chunk's record bytes (after the channel byte).</summary>
    public static bool TryReadChunk(ReadOnlySpan<byte> data, out byte[] records, out string? error)
    {
        records = [];
        if (data.Length < 1 || data.Length > 1 + ChunkLength)
        {
            error = $"Get Channel Cipher Suites response of {data.Length} bytes is not channel + 0-16 record bytes";
            return false;
        }
        records = data[1..].ToArray();
        error = null;
        return true;
    }

    /// <summary>The standard suite IDs in the concatenated records (OEM suites skipped).</summary>
    public static bool TryParseSuiteIds(ReadOnlySpan<byte> records, out List<int> suites, out string? error)
    {
        suites = [];
        var i = 0;
        while (i < records.Length)
        {
            var start = records[i];
            if (start is not (0xC0 or 0xC1) || i + 1 >= records.Length)
            {
                error = $"cipher suite record at offset {i} does not start with 0xC0/0xC1";
                return false;
            }
            var id = records[i + 1];
            i += start == 0xC0 ? 2 : 5; // OEM records carry a 3-byte IANA
            while (i < records.Length && records[i] is < 0xC0) i++; // algorithm bytes
            if (start == 0xC0) suites.Add(id);
        }
        error = null;
        return true;
    }
}
