namespace IntegrationHub.Pulsar.Producer;

/// <summary>
/// Reads the base64 message ids the WebSocket API returns: the protobuf <c>MessageIdData</c>
/// (field 1 <c>ledgerId</c>, field 2 <c>entryId</c>, both uint64 varints). A broker with deduplication acknowledges a
/// dropped duplicate with ledger and entry -1, which is how the hub tells "stored now" from "already stored".
/// </summary>
internal static class MessageIds
{
    public static bool IsDuplicate(string? messageId)
    {
        if (string.IsNullOrEmpty(messageId))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[64];
        if (!Convert.TryFromBase64String(messageId, bytes, out var length))
        {
            return false;
        }

        ulong? ledger = null, entry = null;
        var data = bytes[..length];
        var position = 0;
        while (position < data.Length)
        {
            if (!TryVarint(data, ref position, out var tag))
            {
                return false;
            }

            var field = tag >> 3;
            var wire = tag & 7;
            if (wire == 0)
            {
                if (!TryVarint(data, ref position, out var value))
                {
                    return false;
                }

                if (field == 1)
                {
                    ledger = value;
                }
                else if (field == 2)
                {
                    entry = value;
                }
            }
            else if (wire == 2)
            {
                if (!TryVarint(data, ref position, out var skip))
                {
                    return false;
                }

                position += (int)skip;
            }
            else
            {
                return false;
            }
        }

        return ledger == ulong.MaxValue && entry == ulong.MaxValue;
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
