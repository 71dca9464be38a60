using System.Security.Cryptography;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Bifrost.Protocols.Ipmi.Session;
using Microsoft.Extensions.Logging;

namespace Bifrost.Bmc.Ipmi;

public sealed partial class IpmiSession
{
    /// <summary>RAKP 1 role bit 4: look the user up by name only (not name + privilege), as ipmitool does.</summary>
    private const byte NameOnlyLookup = 0x10;

    /// <summary>Attempts per RAKP step. A BMC that answered a RAKP 3 whose RAKP 4 got lost ignores the repeat
    /// (ipmi_sim does), so after a few tries the client starts the handshake over instead.</summary>
    private const int RakpAttempts = 3;

    /// <summary>
    /// Open Session → RAKP 1/2 → RAKP 3/4 → Set Session Privilege Level (IPMI v2.0 §13.14-13.23, §22.18), each step
    /// retried until <paramref name="deadline"/>. Failures are <see cref="IpmiException"/>s that say what the BMC
    /// refused: the suite, the user, the password or the privilege.
    /// </summary>
    public async Task OpenAsync(CipherSuite suite, SessionCredentials credentials, DateTimeOffset deadline, CancellationToken ct)
    {
        var privilege = credentials.Privilege;

        // 1. Open Session: propose exactly the suite's three algorithms, ask for the privilege explicitly.
        var openTags = new HashSet<byte>();
        var open = await ExchangeAsync("Open Session Request",
            () =>
            {
                var tag = NextTag();
                openTags.Add(tag);
                return Wrap(PayloadType.OpenSessionRequest, 0, new OpenSessionRequest(tag, privilege, ConsoleSessionId, suite).ToArray());
            },
            (ReadOnlySpan<byte> d, out OpenSessionResponse r, out string? why) =>
                TryReadPreSession(d, PayloadType.OpenSessionResponse, out r, OpenSessionResponse.TryRead, out why)
                && Matches(openTags, r.Tag, r.Status == 0 ? r.ConsoleSessionId : ConsoleSessionId, out why),
            deadline, ct);
        if (open.Status != RmcpPlusStatus.NoErrors)
        {
            var kind = RmcpPlusStatus.IsCipherSuiteRefusal(open.Status) ? IpmiErrorKind.UnsupportedCipherSuite
                : open.Status is RmcpPlusStatus.InvalidRole or RmcpPlusStatus.UnauthorizedRole or RmcpPlusStatus.InsufficientResourcesForRole
                    ? IpmiErrorKind.InsufficientPrivilege
                    : IpmiErrorKind.Protocol;
            throw new IpmiException(kind, $"{_bmc}: the BMC refused to open a session with cipher suite {suite.Id}: {RmcpPlusStatus.Describe(open.Status)}");
        }
        if (open.Authentication != suite.Authentication || open.Integrity != suite.Integrity || open.Confidentiality != suite.Confidentiality)
        {
            throw new IpmiException(IpmiErrorKind.UnsupportedCipherSuite,
                $"{_bmc}: asked for cipher suite {suite.Id} but the BMC chose {open.Authentication}/{open.Integrity}/{open.Confidentiality}");
        }
        BmcSessionId = open.BmcSessionId;

        // 2. RAKP 1 → RAKP 2: the BMC proves it knows the password (and tells us whether it knows the user).
        var consoleRandom = RandomNumberGenerator.GetBytes(16);
        var role = (byte)(privilege | NameOnlyLookup);
        var rakpTags = new HashSet<byte>();
        var rakp2 = await ExchangeAsync("RAKP 1",
            () =>
            {
                var tag = NextTag();
                rakpTags.Add(tag);
                return Wrap(PayloadType.Rakp1, 0, new Rakp1(tag, BmcSessionId, consoleRandom, role, credentials.Username).ToArray());
            },
            (ReadOnlySpan<byte> d, out Rakp2 r, out string? why) =>
                TryReadPreSession(d, PayloadType.Rakp2, out r, Rakp2.TryRead, out why)
                && Matches(rakpTags, r.Tag, r.Status == 0 ? r.ConsoleSessionId : ConsoleSessionId, out why),
            deadline, ct, RakpAttempts);
        switch (rakp2.Status)
        {
            case RmcpPlusStatus.NoErrors:
                break;
            case RmcpPlusStatus.UnauthorizedName:
                throw new IpmiException(IpmiErrorKind.UnknownUser,
                    $"{_bmc}: the BMC does not know user '{System.Text.Encoding.UTF8.GetString(credentials.Username)}' (RAKP 2: unauthorized name)");
            case RmcpPlusStatus.InvalidRole or RmcpPlusStatus.UnauthorizedRole or RmcpPlusStatus.InsufficientResourcesForRole:
                throw new IpmiException(IpmiErrorKind.InsufficientPrivilege,
                    $"{_bmc}: the BMC refused privilege {PrivilegeName(privilege)} (RAKP 2: {RmcpPlusStatus.Describe(rakp2.Status)})");
            default:
                throw new IpmiException(IpmiErrorKind.Protocol, $"{_bmc}: RAKP 2 failed: {RmcpPlusStatus.Describe(rakp2.Status)}");
        }
        var expected = RakpMath.Rakp2Code(suite.Authentication, credentials.Kuid, ConsoleSessionId, BmcSessionId,
            consoleRandom, rakp2.BmcRandom, rakp2.BmcGuid, role, credentials.Username);
        if (!CryptographicOperations.FixedTimeEquals(expected, rakp2.KeyExchangeCode))
        {
            // Tell the BMC to drop the half-open session (RAKP 3 with an error status), best effort.
            await _transport.SendAsync(Wrap(PayloadType.Rakp3, 0, new Rakp3(NextTag(), RmcpPlusStatus.InvalidIntegrityCheck, BmcSessionId, []).ToArray()), ct);
            throw new IpmiException(IpmiErrorKind.AuthenticationFailed,
                $"{_bmc}: authentication failed: the BMC's RAKP 2 key exchange code does not match (wrong password?)");
        }

        // 3. RAKP 3 → RAKP 4: we prove we know the password; the BMC proves it derived the same SIK.
        var sik = IpmiCrypto.SessionIntegrityKey(suite.Authentication, credentials.Kuid, consoleRandom, rakp2.BmcRandom, role, credentials.Username);
        var rakp3Code = RakpMath.Rakp3Code(suite.Authentication, credentials.Kuid, rakp2.BmcRandom, ConsoleSessionId, role, credentials.Username);
        var rakp3Tags = new HashSet<byte>();
        var rakp4 = await ExchangeAsync("RAKP 3",
            () =>
            {
                var tag = NextTag();
                rakp3Tags.Add(tag);
                return Wrap(PayloadType.Rakp3, 0, new Rakp3(tag, 0, BmcSessionId, rakp3Code).ToArray());
            },
            (ReadOnlySpan<byte> d, out Rakp4 r, out string? why) =>
                TryReadPreSession(d, PayloadType.Rakp4, out r, Rakp4.TryRead, out why)
                && Matches(rakp3Tags, r.Tag, r.Status == 0 ? r.ConsoleSessionId : ConsoleSessionId, out why),
            deadline, ct, RakpAttempts);
        if (rakp4.Status != RmcpPlusStatus.NoErrors)
        {
            var kind = rakp4.Status == RmcpPlusStatus.InvalidIntegrityCheck ? IpmiErrorKind.AuthenticationFailed : IpmiErrorKind.Protocol;
            throw new IpmiException(kind, $"{_bmc}: the BMC rejected RAKP 3: {RmcpPlusStatus.Describe(rakp4.Status)}");
        }
        var icv = RakpMath.Rakp4Icv(suite.Authentication, sik, consoleRandom, BmcSessionId, rakp2.BmcGuid);
        if (!CryptographicOperations.FixedTimeEquals(icv, rakp4.IntegrityCheck))
            throw new IpmiException(IpmiErrorKind.Protocol, $"{_bmc}: RAKP 4 integrity check value does not match");

        _keys = SessionKeys.Derive(suite, sik);
        Suite = suite;
        IsOpen = true;
        IpmiMetrics.SessionsOpened.Add(1);

        // 4. Raise the session to the privilege asked for (sessions may start lower, §22.18).
        var set = await CommandAsync(NetFn.App, SetSessionPrivilegeLevel.Command, SetSessionPrivilegeLevel.Request(privilege),
            "Set Session Privilege Level", deadline, ct);
        if (set.CompletionCode is SetSessionPrivilegeLevel.NotAvailableForUser or SetSessionPrivilegeLevel.ExceedsLimit
            or CompletionCode.InsufficientPrivilege)
        {
            await CloseAsync("privilege refused", ct);
            throw new IpmiException(IpmiErrorKind.InsufficientPrivilege,
                $"{_bmc}: the BMC refused privilege {PrivilegeName(privilege)} for this user: {CompletionCode.Describe(set.CompletionCode)}");
        }
        if (set.CompletionCode != CompletionCode.Ok)
        {
            await CloseAsync("privilege refused", ct);
            throw new IpmiException(IpmiErrorKind.CommandFailed,
                $"{_bmc}: Set Session Privilege Level failed: {CompletionCode.Describe(set.CompletionCode)}");
        }
        if (SetSessionPrivilegeLevel.TryRead(set.Data, out var granted, out _) && granted < privilege)
        {
            await CloseAsync("privilege lowered", ct);
            throw new IpmiException(IpmiErrorKind.InsufficientPrivilege,
                $"{_bmc}: asked for privilege {PrivilegeName(privilege)}, the BMC granted only {PrivilegeName(granted)}");
        }
        Log.SessionOpened(_log, _bmc, BmcSessionId, suite.Id, PrivilegeName(privilege));
    }

    private delegate bool Reader<T>(ReadOnlySpan<byte> src, out T value, out string? error);

    private bool TryReadPreSession<T>(ReadOnlySpan<byte> datagram, PayloadType type, out T value, Reader<T> read, out string? why)
    {
        value = default!;
        if (!RmcpPlusMessage.TryRead(datagram, SessionKeys.None, out var message, out why)) return false;
        if (message.Type != type)
        {
            why = $"payload type {message.Type} where {type} was expected";
            return false;
        }
        return read(message.Payload, out value, out why);
    }

    private bool Matches(HashSet<byte> tags, byte tag, uint consoleSessionId, out string? why)
    {
        why = !tags.Contains(tag) ? $"message tag {tag} answers an older request"
            : consoleSessionId != ConsoleSessionId ? $"console session ID 0x{consoleSessionId:x8} is not ours"
            : null;
        return why is null;
    }

    private static string PrivilegeName(byte privilege) =>
        privilege switch { 1 => "CALLBACK", 2 => "USER", 3 => "OPERATOR", 4 => "ADMINISTRATOR", _ => $"0x{privilege:x2}" };
}
