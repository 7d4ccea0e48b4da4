# Setups for ExampleRunTests: how the folder of each command's `--help` examples is prepared.
#
# The test walks the built binary's help tree, and for the command `dmctl A B` calls the bash
# function `setup_A_B` (the root is `setup_dmctl`; '-' becomes '_') in a fresh folder with
# DMCTL_HOME=$PWD/home, `dmctl` the built binary and Data/, Examples/, Tests/ linked to the
# repository; then it runs the example lines. A command whose examples have no setup function
# here fails the test, so a new command is noticed.
#
# Keys are imported from the well-known development private keys of local Ethereum chains
# (Hardhat and Anvil print them at start), so addresses, and the listing ids derived from them,
# are the same in every run and the examples can name them.
#
# `world NAME` copies a prepared folder (built once per test run by `world_NAME`, cached in
# $EXAMPLE_CACHE under a lock, so parallel tests share it). $SETUPS is this file.

declare -A DEV_KEYS=(
    [alice]=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
    [bob]=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
    [carol]=0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
    [dave]=0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6
    [datatrust]=0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a
    [erin]=0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba
    [sponsor]=0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e
    [trainer]=0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356
    [req]=0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97
    [host]=0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6
)

# dmctl: the binary under test.
dmctl() { "$DMCTL_BIN" "$@"; }

# keys NAME...: imports the named development keys (a name without one gets a new key).
keys() {
    local name
    for name in "$@"; do
        if [ -n "${DEV_KEYS[$name]:-}" ]; then echo "${DEV_KEYS[$name]}" | dmctl key import --name "$name" || return
        else dmctl key new --name "$name" || return; fi
    done
}

# chain NAME...: imports the keys and creates the default chain, the first one holding DMT.
chain() { keys "$@" && dmctl chain init --key "$1"; }

# fund AMOUNT NAME...: alice sends each of them AMOUNT DMT.
fund() { local amount=$1 name; shift; for name in "$@"; do dmctl token transfer --token DMT --to "$name" --amount "$amount" --key alice || return; done; }

# world NAME: copies the folder `world_NAME` prepares (built once per run, under a lock).
world() {
    local name=$1 dir="$EXAMPLE_CACHE/$1"
    (
        flock 9
        [ -e "$dir/.done" ] && exit 0
        rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit
        # A new bash with -e, so that any failing line fails the world (a function called in
        # an `&&` list would run with -e ignored).
        DMCTL_HOME="$PWD/home" bash -ec 'source "$SETUPS" && link_repository && "world_$1"' world "$name" >"$dir.log" 2>&1 \
            || { echo "world $name failed:"; tail -20 "$dir.log"; exit 1; }
        rm -f Data Examples Tests && touch .done
    ) 9>"$dir.lock" || return
    cp -a "$dir/." . && rm -f .done
}

link_repository() { ln -sfn "$ROOT/Data" Data && ln -sfn "$ROOT/Examples" Examples && ln -sfn "$ROOT/Tests" Tests; }

# MARK: - Servers

# Examples and setups that run servers hold one lock for the whole run (their ports are the
# fixed ones the examples print), and the script stops every server it started when it ends.
declare -A SERVED=()
STARTED=()

# serve PORT COMMAND...: runs COMMAND in the background (output in servers.log), first stopping
# a server this script started on PORT, and waits until something listens on PORT.
serve() {
    local port=$1; shift
    if [ -z "${SERVER_LOCK_HELD:-}" ]; then
        exec 7>"${TMPDIR:-/tmp}/dmctl-example-servers.lock" && flock 7 && SERVER_LOCK_HELD=1 || return
    fi
    stop_server "$port" || return
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is taken by another program"; return 1; fi
    local command=("$@")
    [ "${command[0]}" = dmctl ] && command[0]=$DMCTL_BIN  # the process itself, so SIGTERM reaches it
    "${command[@]}" >>servers.log 2>&1 7>&- &  # without the lock's descriptor
    SERVED[$port]=$!
    STARTED+=("$port")
    wait_listening "$port" "${SERVED[$port]}"
}

# wait_listening PORT PID: until PORT accepts connections (up to 120 s), or PID has exited.
wait_listening() {
    local port=$1 pid=$2 i
    for i in $(seq 1 1200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { echo "the server for port $port exited before listening:"; tail -5 servers.log; return 1; }
        sleep 0.1
    done
    echo "nothing listens on port $port after 120 s"; return 1
}

# stop_server PORT: SIGTERM to the server this script started on PORT; it must exit 0 within
# 30 s (else it gets SIGKILL and this fails).
stop_server() {
    local pid=${SERVED[$1]:-} status i
    [ -n "$pid" ] || return 0
    unset "SERVED[$1]"
    STARTED=("${STARTED[@]/$1}")
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"; wait "$pid"
        echo "the server on port $1 was still running 30 s after SIGTERM:"; tail -5 servers.log; return 1
    fi
    wait "$pid"; status=$?
    [ $status -eq 0 ] || { echo "the server on port $1 exited with status $status after SIGTERM:"; tail -5 servers.log; return 1; }
}

# stop_servers: stops every server this script started, the last started first (a follower
# before its leader), at the end of the script.
stop_servers() {
    local i failed=0
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do [ -n "${STARTED[i]}" ] && { stop_server "${STARTED[i]}" || failed=1; }; done
    return $failed
}

# run_example LINE: runs one example line as bash would. A `dmctl GROUP serve` line is a server:
# it runs in the background (on the --port it names) while the lines after it run.
run_example() {
    local line=$1 status
    echo "\$ $line"
    if [[ $line =~ ^dmctl\ [a-z-]+\ serve(\ |$) ]]; then
        [[ $line =~ --port\ ([0-9]+) ]] || { echo "a serve example must name its --port"; return 1; }
        echo "  (a server: runs in the background while the next lines run, then gets SIGTERM and must exit 0)"
        local port=${BASH_REMATCH[1]} words
        eval "words=($line)"
        serve "$port" "${words[@]}"
    else
        eval "$line"; status=$?
        [ $status -eq 0 ] || echo "example failed with status $status: $line"
        return $status
    fi
}

# MARK: - Worlds

# Ten keys, the default chain (alice holds DMT), everyone else funded, a data file.
world_people() {
    chain alice bob carol dave datatrust erin sponsor trainer req host
    fund 10000 bob carol dave datatrust erin sponsor trainer req host
    printf 'age,diagnosis\n61,1\n' > rows.csv
}

# The market "cancer", alice its council (she invested 20 DMT).
world_market() {
    world people
    dmctl market create cancer --network-token DMT --key alice
    dmctl market invest cancer 20 --key alice
}

# ...with "datatrust" its authorised backend (poll 1).
world_trusted() {
    world market
    dmctl market backend propose cancer --url https://dt.example --address datatrust --key alice
    dmctl market vote cancer 1 yea --key alice && dmctl chain warp 1h && dmctl market resolve cancer 1 --key alice
}

# ...with bob's application for rows.csv (poll 2), attested by the datatrust.
LISTING=0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95
world_applied() {
    world trusted
    dmctl market apply cancer --file rows.csv --key bob
    dmctl market attest cancer $LISTING --key datatrust
}

# ...and listed.
world_listed() {
    world applied
    dmctl market vote cancer 2 yea --key alice && dmctl chain warp 1h && dmctl market resolve cancer 2 --key alice
}

# The roles of seed 001 on the listed market: $Data 1 (bob's listing, rows.csv) and 2 (erin's
# notes.txt, referenceable), carol's $Portfolio 3 over both, trainer's $Model 4 trained on it
# (0.5 DMT a use), sponsor's reward pool 1 for the market, which admitted portfolio 3.
world_roles() {
    world listed
    printf 'sample notes\n' > notes.txt
    dmctl data mint --data-file rows.csv --market cancer --listing $LISTING --tag tabular --referenceable --key bob
    dmctl data mint --data-file notes.txt --tag tabular --referenceable --key erin
    dmctl portfolio create --entry 1:6000 --entry 2:4000 --bonus-token DMT --key carol
    printf 'model bytes\n' > model.bin
    dmctl model mint --model-file model.bin --portfolio 3 --token DMT --price 0.5 --key trainer
    dmctl pool create --token DMT --market cancer --data-rate 0.001 --portfolio-rate 0.001 --duration 2592000 --funding 5000 --key sponsor
    dmctl pool admit 1 --portfolio 3 --key sponsor
}

# MARK: - Commands

setup_dmctl() { :; }
setup_amounts() { :; }
setup_calls() { :; }

setup_key() { :; }
setup_key_new() { :; }
setup_key_list() { keys alice; }
setup_key_show() { keys alice; }
setup_key_export() { keys alice; }
setup_key_import() { :; }

setup_chain() { :; }
setup_chain_init() { :; }
setup_chain_info() { chain alice; }
setup_chain_blocks() { chain alice; }
setup_chain_events() { chain alice bob && fund 1 bob; }
setup_chain_verify() { chain alice; }
setup_chain_warp() { chain alice; }

setup_demo() { :; }

setup_token() { chain alice bob; }
setup_token_create() { chain alice; }
setup_token_mint() { chain minter bob; }
setup_token_burn() { chain minter; }
setup_token_transfer() { chain alice; }
setup_token_approve() { chain alice market-bot; }
setup_token_transfer_from() { chain alice market-bot carol && dmctl token approve --token DMT --spender market-bot --amount 50 --key alice; }
setup_token_balance() { chain alice bob; }
setup_token_allowance() { chain alice market-bot; }
setup_token_supply() { chain alice; }
setup_token_list() { chain alice; }

# three_items: alice mints NFTs 1 to 3 for item1.txt … item3.txt.
three_items() {
    local i
    for i in 1 2 3; do printf 'item %s\n' $i > item$i.txt && dmctl nft mint --class data --content-file item$i.txt --key alice || return; done
}
setup_nft() { chain alice; }
setup_nft_mint() { chain alice bob && dmctl nft mint --class data --content-file Data/breast_cancer.csv --key bob; }
setup_nft_transfer() { chain alice carol && three_items; }
setup_nft_approve() { chain alice market-bot && three_items; }
setup_nft_show() { chain alice && three_items; }
setup_nft_set_metadata() { chain alice && three_items; }
setup_nft_list() { chain alice bob; }

# alice streams 100 DMT to bob from in a minute to in a day (stream 1).
stream_to_bob() { chain alice bob && dmctl stream open --to bob --token DMT --amount 100 --start +1m --end +1d --key alice; }
setup_stream() { chain alice bob; }
setup_stream_open() { chain alice bob; }
setup_stream_claim() { stream_to_bob && dmctl chain warp 2h; }
setup_stream_cancel() { stream_to_bob; }
setup_stream_show() { stream_to_bob; }
setup_stream_list() { chain alice bob; }

# Examples/genesis.json funds bob (a development key) with DMT and USDX.
genesis() { keys bob alice && dmctl chain init --genesis Examples/genesis.json; }
setup_tx() { genesis; }
setup_tx_build() { genesis; }
setup_tx_sign() { genesis && dmctl tx build --from bob token transfer --token DMT --to alice --amount 5 > transfer.json; }
setup_tx_submit() { setup_tx_sign; }

setup_hash() { printf 'age,diagnosis\n61,1\n' > shard-1.csv; }
setup_hash_keccak() { setup_hash; }
setup_sign() { keys alice; }
setup_verify() { keys alice; }

# he_values: a 1024-bit key pair in keys/, values.csv, and values.jsonl its encryption.
he_values() {
    dmctl he keygen --bits 1024 --out keys && printf '1\n-2.5\n3\n' > values.csv \
        && dmctl he encrypt --key keys/public.json --input values.csv > values.jsonl
}
setup_he() { :; }
setup_he_keygen() { :; }
setup_he_encrypt() { he_values; }
setup_he_decrypt() { he_values && dmctl he encrypt --key keys/public.json 2.5 > sum.json; }
setup_he_add() {
    local i
    he_values && dmctl he encrypt --key keys/public.json 1 > a.json && dmctl he encrypt --key keys/public.json 2 > b.json || return
    for i in 1 2 3; do dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 5 --range 8 -- 0.5,-$i > p$i.json || return; done
}
setup_he_mul() { he_values && dmctl he encrypt --key keys/public.json 1.5 > a.json; }
setup_he_dot() { local i; he_values || return; for i in 1 2 3; do dmctl he encrypt --key keys/public.json $i > x$i.json || return; done; }

setup_market() { world people; }
setup_market_create() { world people; }
setup_market_show() { world listed; }
setup_market_params() { world market; }
setup_market_listings() { world listed; }
setup_market_apply() { world trusted; }
setup_market_attest() { world trusted && dmctl market apply cancer --file rows.csv --key bob; }
setup_market_challenge() { world listed; }
setup_market_vote() { world listed && dmctl market challenge cancer $LISTING --key carol; }
setup_market_resolve() { setup_market_vote && dmctl market vote cancer 3 yea --key alice && dmctl chain warp 1h; }
setup_market_expire() { setup_market_vote && dmctl chain warp 2d; }
setup_market_exit() { world listed; }
setup_market_invest() { world market; }
setup_market_divest() { world market; }
setup_market_convert() { world listed; }
setup_market_set_access_cost() { world listed; }
setup_market_set_compute_cost() { world trusted; }
setup_market_pay() { world listed; }
setup_market_report() { world listed && dmctl market pay cancer --listing $LISTING --max-price 2 --backend datatrust --key dave; }
setup_market_report_accesses() { world trusted; }
setup_market_refund() { setup_market_report && dmctl chain warp 2d; }
setup_market_backend() { world trusted; }
setup_market_backend_propose() { world market; }
setup_market_backend_remove() { world trusted; }
setup_market_backend_list() { world trusted; }
setup_market_reparam() { world market; }
setup_market_reparam_propose() { world market; }

setup_data() { world listed; }
setup_data_mint() { world listed; }
setup_data_disclose() { world roles; }
setup_data_tie() { world listed && dmctl data mint --data-file rows.csv --key bob; }
setup_data_claim() { world roles && dmctl chain warp 1d; }
setup_data_show() { world roles; }
setup_portfolio() { world roles; }
setup_portfolio_create() { world roles; }
setup_portfolio_show() { world roles; }
setup_portfolio_use() { world roles; }
setup_portfolio_retire() { world roles; }
setup_pool() { world roles; }
setup_pool_create() { world listed; }
setup_pool_fund() { world roles; }
setup_pool_admit() { world roles && dmctl portfolio create --entry 1:5000 --entry 2:5000 --bonus-token DMT --key carol; }
setup_pool_close() { world roles && dmctl chain warp 61d; }
setup_eval() { world roles && dmctl model use 4 --key dave && dmctl model use 4 --key erin && printf 'age\n61\n' > in.csv && printf 'diagnosis\n1\n' > out.csv && printf 'Right on every biopsy I tried.\n' > review.md; }
setup_eval_post() { setup_eval; }
setup_eval_review() { setup_eval && dmctl eval post 4 --rating 4 --inputs-file in.csv --outputs-file out.csv --text-file review.md --key dave; }
setup_eval_show() { setup_eval_review; }
setup_usage() { world roles; }
setup_usage_offer() { world roles; }
setup_usage_withdraw() { world roles && dmctl usage offer --data 2 --token DMT --price 0.5 --key erin; }
setup_usage_accept() { setup_usage_withdraw; }
setup_usage_record() { setup_usage_withdraw && dmctl usage accept 1 --prepaid-uses 4 --key trainer; }
setup_usage_close() { setup_usage_record; }
setup_usage_show() { setup_usage_record; }

# A model bounty: req posts bounty 1 (10 DMT, stake 1 DMT, submissions close in an hour) on a
# seeded split of Data/breast_cancer.csv in bounty1/.
world_bounty() {
    world people
    dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1
    dmctl bounty create --key req --token DMT --reward 10 --stake 1 --deadline-in 3600 --classes 2 --dir bounty1
}

# ...where alice trained the reference learner and submitted.
world_submitted() {
    world bounty
    dmctl bounty train --dir bounty1 --model-out alice.onnx --predictions-out alice-preds.json
    dmctl bounty submit --key alice --bounty 1 --predictions alice-preds.json --model-hash "$(dmctl hash keccak alice.onnx)" --secret alice.secret.json
}

setup_dataset() { :; }
setup_dataset_split() { :; }
setup_bounty() { world people; }
setup_bounty_create() { world people && dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1; }
setup_bounty_show() { world bounty; }
setup_bounty_train() { world bounty; }
setup_bounty_submit() { world bounty && dmctl bounty train --dir bounty1 --model-out alice.onnx --predictions-out alice-preds.json; }
setup_bounty_cancel() { world submitted; }
setup_bounty_truth() { world submitted && dmctl chain warp 1h; }
setup_bounty_claim() { setup_bounty_truth && dmctl bounty truth --key req --secret bounty1/truth-secret.json; }
setup_bounty_pick() { setup_bounty_claim && dmctl bounty claim --key alice --secret alice.secret.json && dmctl chain warp 15m; }
setup_bounty_reveal() { setup_bounty_pick && dmctl bounty pick --key bob --bounty 1; }
setup_bounty_timeout() { setup_bounty_reveal && dmctl chain warp 1d; }

# A data bounty: sponsor escrows 100 DMT (bond 50, stake 1) for a logistic model over three
# features (initial weights w0.json, validation set val.json, Paillier key keys/public.json);
# owner1 and owner2 are fresh keys with 100 DMT each.
world_databounty() {
    world people
    dmctl key new --name owner1 && dmctl key new --name owner2 && fund 100 owner1 owner2
    dmctl he keygen --bits 1024 --out keys
    printf '{"values": [1, 2, 3, 0]}\n' > w0.json
    printf '{"values": [2, -1, 3, 1]}\n' > w1.json
    printf '{"features": [[1, 2, 3], [3, 2, 1], [0, 1, 0]], "labels": [1, 0, 1]}\n' > val.json
    dmctl databounty create --key sponsor --token DMT --reward 100 --bond 50 --stake 1 --features 3 --initial-error 3700 \
        --target-error 800 --initial-weights w0.json --deadline-in 86400 --public-key keys/public.json --validation val.json \
        --secret sponsor.secret.json
}

# ...where both owners joined, owner1 committed its encrypted gradient grad1.json for round 1
# and, as that round's aggregator, the sum sum.json.
world_aggregated() {
    world databounty
    dmctl databounty join --key owner1 --bounty 1 --samples 91 && dmctl databounty join --key owner2 --bounty 1 --samples 40
    dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 5 --range 1024 -- 0.5,-3.25,1.5,0.25 > grad1.json
    dmctl databounty commit --key owner1 --bounty 1 --round 1 --gradient grad1.json
    dmctl he add --key keys/public.json grad1.json grad1.json > sum.json
    dmctl databounty aggregate --key owner1 --bounty 1 --round 1 --aggregate sum.json
}

# ...where the sponsor posted round 1 (w1.json) with a false error, 1315, and round 2 (w2.json,
# owner2 aggregating) with its true error on val.json, 3333 (one row of three wrong).
world_posted() {
    world aggregated
    dmctl databounty post --key sponsor --bounty 1 --round 1 --weights w1.json --error 1315
    cp w0.json w2.json
    dmctl databounty commit --key owner1 --bounty 1 --round 2 --gradient grad1.json
    dmctl databounty commit --key owner2 --bounty 1 --round 2 --gradient sum.json
    dmctl databounty aggregate --key owner2 --bounty 1 --round 2 --aggregate sum.json
    dmctl databounty post --key sponsor --bounty 1 --round 2 --weights w2.json --error 3333
}

setup_databounty() { world databounty; }
setup_databounty_create() { world databounty && rm -f sponsor.secret.json; }
setup_databounty_show() { world databounty; }
setup_databounty_join() { world databounty; }
setup_databounty_commit() { world databounty && dmctl databounty join --key owner1 --bounty 1 --samples 91 \
    && dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 5 --range 1024 -- 0.5,-3.25,1.5,0.25 > grad1.json; }
setup_databounty_aggregate() { setup_databounty_commit && dmctl databounty commit --key owner1 --bounty 1 --round 1 --gradient grad1.json \
    && dmctl he add --key keys/public.json grad1.json grad1.json > sum.json; }
setup_databounty_post() { world aggregated; }
setup_databounty_reveal() { world posted && dmctl chain warp 1d; }
setup_databounty_challenge() { setup_databounty_reveal \
    && dmctl databounty reveal --key sponsor --secret sponsor.secret.json --validation val.json --weights w2.json; }
setup_databounty_finalize() { setup_databounty_challenge && dmctl chain warp 2h; }

setup_model() { world roles; }
setup_model_mint() { world roles && cp Tests/ONNXKitTests/Fixtures/breast_cancer_logistic.onnx model.onnx; }
setup_model_price() { world roles; }
setup_model_use() { world roles; }
setup_model_run() { :; }
setup_model_bundle() { world roles; }
setup_model_bundle_buy() { world roles; }
setup_model_bundle_refund() { world roles && dmctl model bundle buy 4 --uses 10 --host host --expires-in 3600 --key dave && dmctl chain warp 2h; }

# The datatrust of the listed market: `datatrust init` for cancer (raw SQL allowed), the key
# "datatrust" being the market's authorised backend.
world_datatrust() {
    world listed
    dmctl datatrust init --name dt-1 --market cancer --columns age:integer,diagnosis:integer
    sed -i 's/"allowRawSQL" *: *false/"allowRawSQL": true/' home/datatrust/config.json
    grep -q '"allowRawSQL": true' home/datatrust/config.json
}
DATA_HASH=0x1d1a77be37d31b67c10ef5fbef84e16d5341a520631568b4db5766ac090b76b7  # Keccak-256 of rows.csv
serve_datatrust() { serve 8080 dmctl datatrust serve --key datatrust --port 8080; }
# bob uploads rows.csv (his listing) and dave pays job 1 for it and job 2 for the whole market.
datatrust_with_jobs() {
    world datatrust && serve_datatrust && dmctl datatrust add --key bob --market cancer rows.csv \
        && dmctl market pay cancer --listing $LISTING --max-price 2 --backend datatrust --key dave \
        && dmctl market pay cancer --max-price 2 --backend datatrust --key dave
}

setup_datatrust() { world datatrust; }
setup_datatrust_init() { world listed; }
setup_datatrust_serve() { world datatrust && cp -a home node-home && serve 8545 dmctl node serve --port 8545 --home node-home; }
setup_datatrust_housekeep() { world datatrust && cp -a home node-home && serve 8545 dmctl node serve --port 8545 --home node-home; }
setup_datatrust_markets() { world datatrust && serve_datatrust; }
setup_datatrust_schema() { world datatrust && serve_datatrust; }
setup_datatrust_add() { world datatrust && serve_datatrust; }
setup_datatrust_get() { datatrust_with_jobs; }
setup_datatrust_remove() { world datatrust && serve_datatrust && dmctl datatrust add --key bob --market cancer rows.csv && dmctl market exit cancer $LISTING --key bob; }
setup_datatrust_query() { datatrust_with_jobs; }
setup_datatrust_cost() { world datatrust && serve_datatrust; }
setup_datatrust_epsilon() { world datatrust && serve_datatrust; }

setup_node() { chain alice; }
setup_node_serve() { chain alice; }

# The model host "host" serving on 8090 over the roles world; model.onnx is a logistic
# regression on the 30 features of Data/breast_cancer.csv, patients.csv three of its rows.
model_host() {
    world roles && cp Tests/ONNXKitTests/Fixtures/breast_cancer_logistic.onnx model.onnx \
        && head -4 Data/breast_cancer.csv | tail -3 | cut -d, -f1-30 > patients.csv \
        && serve 8090 dmctl model serve --key host --port 8090
}
setup_model_serve() { world roles; }
setup_model_publish() { model_host; }
setup_model_encrypt_layer() { model_host && dmctl he keygen --bits 1024 --out keys \
    && dmctl model publish --model-file model.onnx --portfolio 3 --token DMT --price 0.5 --key trainer --url http://127.0.0.1:8090; }
setup_model_predict() { model_host \
    && dmctl model publish --model-file model.onnx --portfolio 3 --token DMT --price 0.5 --key trainer --url http://127.0.0.1:8090 \
    && dmctl model bundle buy 5 --uses 10 --host host --key dave; }
