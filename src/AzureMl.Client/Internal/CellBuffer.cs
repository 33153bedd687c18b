using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace AzureMl.Client.Internal;

/// <summary>
/// Pooled scratch space for the cells of one table, added in row-major order: each cell's text and where it ends (a
/// null cell as the complement of where it would). <see cref="ToArrays"/> makes the output's one exact copy.
/// </summary>
internal sealed class CellBuffer(int bodyLength) : IDisposable
{
    // Unescaped cell text is never longer than its JSON form, so the body length bounds the data.
    private byte[] _data = ArrayPool<byte>.Shared.Rent(Math.Max(bodyLength, 16));
    private int[] _ends = ArrayPool<int>.Shared.Rent(Math.Clamp(bodyLength / 4, 16, 1 << 20));
    private int _length;
    private int _count;

    public void Reset()
    {
        _length = 0;
        _count = 0;
    }

    public void AddString(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            EnsureData(reader.ValueSpan.Length);
            _length += reader.CopyString(_data.AsSpan(_length));
        }
        else
        {
            AddBytes(reader.ValueSpan);
            return;
        }

        AddEnd(_length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddRaw(ReadOnlySpan<byte> text)
    {
        // The data buffer holds the whole body, and unescaped text is never longer than its JSON form, so the
        // copy needs no growth check; only the cell ends can run out of room.
        var data = _data.AsSpan(_length);
        if (text.Length == 1)
        {
            data[0] = text[0];
        }
        else
        {
            text.CopyTo(data);
        }

        _length += text.Length;
        if (_count == _ends.Length)
        {
            GrowEnds();
        }

        _ends[_count++] = _length;
    }

    public void AddNull() => AddEnd(~_length);

    public (int Length, int Count) Mark() => (_length, _count);

    public void Restore((int Length, int Count) mark) => (_length, _count) = mark;

    public (byte[] Data, int[] Ends) ToArrays()
    {
        // Every element is written by the copy, so the arrays need not be zeroed first.
        var data = GC.AllocateUninitializedArray<byte>(_length);
        var ends = GC.AllocateUninitializedArray<int>(_count);
        _data.AsSpan(0, _length).CopyTo(data);
        _ends.AsSpan(0, _count).CopyTo(ends);
        return (data, ends);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_data);
        ArrayPool<int>.Shared.Return(_ends);
        _data = [];
        _ends = [];
    }

    private void AddBytes(ReadOnlySpan<byte> text)
    {
        EnsureData(text.Length);
        text.CopyTo(_data.AsSpan(_length));
        _length += text.Length;
        AddEnd(_length);
    }

    private void AddEnd(int end)
    {
        if (_count == _ends.Length)
        {
            GrowEnds();
        }

        _ends[_count++] = end;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowEnds()
    {
        var bigger = ArrayPool<int>.Shared.Rent(_ends.Length * 2);
        _ends.AsSpan(0, _count).CopyTo(bigger);
        ArrayPool<int>.Shared.Return(_ends);
        _ends = bigger;
    }

    private void EnsureData(int more)
    {
        if (_data.Length - _length < more)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_data.Length * 2, _length + more));
            _data.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = bigger;
        }
    }
}
