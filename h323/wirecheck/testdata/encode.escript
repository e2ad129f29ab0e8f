%% Encodes values with Erlang's asn1 application (aligned PER) for the
%% cross-check of Switchyard's H.225.0 and H.245 encodings.
%%
%% Usage: escript encode.escript OutDir Cases Module=File...
%% Each Module=File is copied to OutDir/Module.asn (asn1ct finds imported
%% modules by name) and compiled with the per option, in the order given,
%% unless OutDir already holds the compiled module (a cache the caller
%% keys by the modules' contents).
%% Cases holds one case a line: "Module<TAB>Type<TAB>Erlang term". For each
%% line the script prints the hex octets of the encoding, or "error: ...".
main([OutDir, CasesFile | Modules]) ->
    lists:foreach(fun(M) -> compile(OutDir, M) end, Modules),
    true = code:add_patha(OutDir),
    {ok, Data} = file:read_file(CasesFile),
    Lines = [L || L <- binary:split(Data, <<"\n">>, [global]), L =/= <<>>],
    lists:foreach(fun(L) -> io:format("~s~n", [encode(L)]) end, Lines),
    halt(0).

compile(OutDir, Spec) ->
    [Mod, File] = string:split(Spec, "="),
    case filelib:is_regular(filename:join(OutDir, Mod ++ ".beam")) of
        true -> ok;
        false -> compile(OutDir, Mod, File)
    end.

compile(OutDir, Mod, File) ->
    Asn = filename:join(OutDir, Mod ++ ".asn"),
    {ok, _} = file:copy(File, Asn),
    case asn1ct:compile(Asn, [per, {outdir, OutDir}, {i, OutDir}]) of
        ok -> ok;
        Err -> io:format("compile ~s: ~p~n", [Mod, Err]), halt(2)
    end.

encode(Line) ->
    [Mod, Type, Expr] = binary:split(Line, <<"\t">>, [global]),
    try
        {ok, Toks, _} = erl_scan:string(binary_to_list(Expr) ++ "."),
        {ok, Exprs} = erl_parse:parse_exprs(Toks),
        {value, Value, _} = erl_eval:exprs(Exprs, []),
        M = binary_to_atom(Mod),
        case M:encode(binary_to_atom(Type), Value) of
            {ok, Bin} -> hex(Bin);
            Other -> io_lib:format("error: ~0p", [Other])
        end
    catch
        C:R -> io_lib:format("error: ~0p:~0p", [C, R])
    end.

hex(Bin) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Bin].
