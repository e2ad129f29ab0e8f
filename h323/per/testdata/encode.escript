%% Encodes values with Erlang's asn1 application (aligned PER), for the
%% cross-check test of the aligned-PER runtime.
%%
%% Usage: escript encode.escript Module.asn OutDir Cases
%% Cases holds one case a line: "TypeName<TAB>Erlang expression". For each
%% line the script prints the hex octets of the encoding, or "error: ...".
main([AsnFile, OutDir, CasesFile]) ->
    case asn1ct:compile(AsnFile, [per, {outdir, OutDir}]) of
        ok -> ok;
        Err -> io:format("compile: ~p~n", [Err]), halt(2)
    end,
    true = code:add_patha(OutDir),
    Mod = list_to_atom(filename:basename(AsnFile, ".asn")),
    {ok, Data} = file:read_file(CasesFile),
    Lines = [L || L <- binary:split(Data, <<"\n">>, [global]), L =/= <<>>],
    lists:foreach(fun(L) -> io:format("~s~n", [encode(Mod, L)]) end, Lines),
    halt(0).

encode(Mod, Line) ->
    [Type, Expr] = binary:split(Line, <<"\t">>),
    try
        {ok, Toks, _} = erl_scan:string(binary_to_list(Expr) ++ "."),
        {ok, Exprs} = erl_parse:parse_exprs(Toks),
        {value, Value, _} = erl_eval:exprs(Exprs, []),
        case Mod:encode(binary_to_atom(Type), Value) of
            {ok, Bin} -> hex(Bin);
            Other -> io_lib:format("error: ~0p", [Other])
        end
    catch
        C:R -> io_lib:format("error: ~0p:~0p", [C, R])
    end.

hex(Bin) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Bin].
