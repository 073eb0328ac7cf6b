<?php

namespace App\Models;

use Illuminate\Database\Eloquent\Model;

class Movement extends Model
{
    protected $fillable = ['belvo_id', 'link_id', 'amount', 'description', 'value_date'];
}
