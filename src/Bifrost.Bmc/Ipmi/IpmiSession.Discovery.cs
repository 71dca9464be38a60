using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Session;

namespace Bifrost.Bmc.Ipmi;

public sealed partial class IpmiSession
{
    /// <summary>
    /// Pre-session Get Channel Cipher Suites (IPMI v2.0 §22.15), IPMI 1.5-framed because ipmi_sim ignores the
    /// RMCP+-framed one (LAB.md). Returns the standard suite IDs the channel offers, or null when the BMC did not
    /// answer before <paramref name="deadline"/> (the caller then tries suites directly).
    /// </summary>
    public async Task<IReadOnlyList<int>?> DiscoverSuitesAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        var records = new List<byte>();
        for (byte index = 0; index < 64; index++)
        {
            byte[] chunk;
            try
            {
                var rqSeq = NextRqSeq();
                var request = new IpmiRequest(NetFn.App, GetChannelCipherSuites.Command, rqSeq, GetChannelCipherSuites.Request(index)).ToArray();
                var datagram = new byte[new Ipmi15Message(0, 0, request).GetEncodedLength()];
                new Ipmi15Message(0, 0, request).Write(datagram);
                var response = await ExchangeAsync("Get Channel Cipher Suites", () => datagram,
                    (ReadOnlySpan<byte> d, out IpmiResponse r, out string? why) => TryAccept15(d, GetChannelCipherSuites.Command, rqSeq, out r, out why),
                    deadline, ct);
                if (response.CompletionCode != CompletionCode.Ok) return null;
                if (!GetChannelCipherSuites.TryReadChunk(response.Data, out chunk, out _)) return null;
            }
            catch (Domain.Drivers.Ipmi.IpmiException)
            {
                return null;
            }
            records.AddRange(chunk);
            if (chunk.Length < GetChannelCipherSuites.ChunkLength) break;
        }
        return GetChannelCipherSuites.TryParseSuiteIds(records.ToArray(), out var suites, out _) ? suites : null;
    }

    private static bool TryAccept15(ReadOnlySpan<byte> datagram, byte command, byte rqSeq, out IpmiResponse response, out string? why)
    {
        response = null!;
        if (!Ipmi15Message.TryRead(datagram, out var message, out why)) return false;
        if (!IpmiResponse.TryRead(message.Message, out response, out why)) return false;
        if (response.Command != command || response.RqSeq != rqSeq)
        {
            why = "IPMI 1.5 response to another request";
            return false;
        }
        return true;
    }
}
